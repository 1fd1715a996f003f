package dev.pgferry.schemachange;

import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.ownership.OwnershipRecords;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.Identifiers;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.replication.PublishedTable;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.schemachange.SchemaChange.Statement;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Carries schema changes over to the destination. It never acts on the comparison a tick saw:
 * it compares again and applies only the changes that are still there with the same id (the
 * same differences). The destination's statements run in one transaction (a foreign key may
 * need a table another change creates); if that fails, each change runs alone, so one that
 * cannot be applied does not hold back the rest. A new table is created on the destination
 * first, then added to the publication on the source (from then on the source sends its rows),
 * then the subscription is refreshed, which gives it an initial copy of its own: the order that
 * never lets the apply worker meet a table the destination lacks.
 */
@Component
public class SchemaChangeApplier {

    private static final Logger log = LoggerFactory.getLogger(SchemaChangeApplier.class);
    /** A destination table the apply worker holds a lock on would otherwise make the change wait for it. */
    private static final String LOCK_TIMEOUT = "30s";

    private final SchemaChanges changes;
    private final PgConnector connector;
    private final ControlRecords records;
    private final OwnershipRecords ownership;
    private final Clock clock;

    public SchemaChangeApplier(SchemaChanges changes, PgConnector connector, ControlRecords records,
            OwnershipRecords ownership, Clock clock) {
        this.ownership = ownership;
        this.changes = changes;
        this.connector = connector;
        this.records = records;
        this.clock = clock;
    }

    /**
     * Applies the changes with these ids that a fresh comparison still finds, and publishes the
     * tables {@code unpublished} names that the destination has (a new table whose publishing
     * failed after it was created). {@code confirmedBy}: the operator who confirmed them, null when
     * pgferry applies the safe ones on its own (then only safe ones are applied). Returns what
     * was applied; throws when any of it failed, naming each.
     */
    public List<SchemaChange> apply(Mapping mapping, String database, List<String> ids,
            List<PublishedTable> unpublished, boolean refreshAnyway, String confirmedBy) throws ActionException {
        if (!ids.isEmpty()) {
            FidelityReport fresh = changes.compareNow(mapping, database);
            if (fresh.error() != null) {
                throw new ActionException("schema changes of " + database + " not applied: the schemas could not be "
                        + "compared again: " + fresh.error(), true);
            }
        }
        ChangeReport report = changes.report(mapping.name(), database);
        List<SchemaChange> chosen = report.changes().stream().filter(c -> ids.contains(c.id()))
                .filter(c -> confirmedBy != null ? c.confirmableUnder(mapping.schemaChanges().policy())
                        : c.automaticUnder(mapping.schemaChanges().policy())).toList();
        String actor = confirmedBy == null ? "pgferry" : confirmedBy;
        List<String> failures = new ArrayList<>();
        List<SchemaChange> applied = applyOnDestination(mapping, database, chosen, failures);
        Set<PublishedTable> publish = new LinkedHashSet<>();
        applied.forEach(c -> publish.addAll(c.publish()));
        publish.addAll(unpublished);
        boolean refresh = refreshAnyway || applied.stream().anyMatch(SchemaChange::refresh);
        int before = failures.size();
        if (!publish.isEmpty()) {
            refresh |= publish(mapping, database, List.copyOf(publish), actor, failures);
        }
        if (refresh) {
            refresh(mapping, database, failures);
        }
        // the publication's steps wait after a failure as a change does (they are planned from what is seen)
        if (failures.size() > before) {
            changes.failed(mapping.name(), database, SchemaChanges.PUBLICATION,
                    String.join("; ", failures.subList(before, failures.size())));
        } else if (!publish.isEmpty() || refresh) {
            changes.succeeded(mapping.name(), database, SchemaChanges.PUBLICATION);
        }
        for (SchemaChange change : applied) {
            changes.applied(mapping.name(), database, new ChangeReport.Applied(clock.instant(), actor, change.id(),
                    change.what(), change.object(), change.sql()));
            records.auditAfterwards(mapping.destination(), actor, SchemaChanges.AUDIT_ACTION, mapping.name(), database,
                    change.what() + " " + change.object() + " (" + change.level().name().toLowerCase(
                            java.util.Locale.ROOT) + "): " + change.sql());
        }
        if (!applied.isEmpty()) {
            changes.compareNow(mapping, database);
            // a change whose statements ran but whose differences remain (PostgreSQL renders the result
            // otherwise, an IF NOT EXISTS met another object): not applied again and again, but shown
            List<String> remaining = changes.report(mapping.name(), database).changes().stream()
                    .map(SchemaChange::id).toList();
            for (SchemaChange change : applied) {
                if (remaining.contains(change.id())) {
                    String message = change.what() + " " + change.object() + " was applied, but the schemas still "
                            + "differ there (" + String.join(", ", change.covers()) + "): compare both sides on the "
                            + "database's page and settle it by hand";
                    changes.failed(mapping.name(), database, change.id(), message);
                    failures.add(message);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new ActionException(String.join("; ", failures), false);
        }
        return applied;
    }

    private List<SchemaChange> applyOnDestination(Mapping mapping, String database, List<SchemaChange> chosen,
            List<String> failures) throws ActionException {
        if (chosen.isEmpty()) {
            return List.of();
        }
        // like every step that changes a destination database: only one pgferry created (or was handed)
        ownership.requireOwned(mapping.destination(), mapping.name(), database, "schema changes of " + database);
        try {
            run(mapping, database, chosen);
            return chosen;
        } catch (SQLException together) {
            if (chosen.size() == 1) {
                failed(mapping, database, chosen.getFirst(), together, failures);
                return List.of();
            }
            log.info("mapping {} database {}: {} schema changes failed together ({}); applying them one by one",
                    mapping.name(), database, chosen.size(), PgErrors.describe(together));
        }
        List<SchemaChange> applied = new ArrayList<>();
        for (SchemaChange change : chosen) {
            try {
                run(mapping, database, List.of(change));
                applied.add(change);
            } catch (SQLException e) {
                failed(mapping, database, change, e, failures);
            }
        }
        return applied;
    }

    private void failed(Mapping mapping, String database, SchemaChange change, SQLException e, List<String> failures) {
        String message = change.what() + " " + change.object() + " could not be applied on the destination: "
                + PgErrors.describe(e);
        changes.failed(mapping.name(), database, change.id(), message);
        failures.add(message);
    }

    /** The statements of the changes, in stage order, in one transaction on the destination database. */
    private void run(Mapping mapping, String database, List<SchemaChange> batch) throws SQLException {
        List<String> statements = new ArrayList<>(List.of("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'"));
        batch.stream().flatMap(c -> c.statements().stream()).sorted(Statement.ORDER).map(Statement::sql)
                .forEach(statements::add);
        try (Connection c = connector.act(mapping.destination(), database)) {
            Jdbc.inOneTransaction(c, statements);
        }
    }

    /**
     * Adds the tables to pgferry's publication, each only once the destination has it. Returns
     * whether any was added (or was listed already, from an earlier attempt the refresh did not follow).
     */
    private boolean publish(Mapping mapping, String database, List<PublishedTable> tables, String actor,
            List<String> failures) {
        String publication = ReplicationNames.of(mapping.name(), database).publication();
        boolean any = false;
        for (PublishedTable table : tables) {
            String name = Identifiers.qualified(table.schema(), table.name());
            try (Connection d = connector.act(mapping.destination(), database)) {
                var jdbc = Jdbc.over(d);
                if (!jdbc.sql("SELECT to_regclass(?) IS NOT NULL").param(name).query(Boolean.class).single()) {
                    failures.add("table " + name + " not added to the publication: the destination lacks it");
                    continue;
                }
                // its initial copy would add the source's rows to any already there
                if (jdbc.sql("SELECT EXISTS (SELECT FROM " + name + ")").query(Boolean.class).single()) {
                    failures.add("table " + name + " not added to the publication: it has rows on the destination "
                            + "already, and its initial copy would add the source's to them; empty it there (TRUNCATE) "
                            + "if they are not needed, or add it to the publication by hand");
                    continue;
                }
            } catch (SQLException e) {
                failures.add("table " + name + " not added to the publication: " + PgErrors.describe(e));
                continue;
            }
            try (Connection c = connector.act(mapping.source(), database); java.sql.Statement s = c.createStatement()) {
                s.execute("ALTER PUBLICATION " + Identifiers.quote(publication) + " ADD TABLE " + name);
                records.auditAfterwards(mapping.destination(), actor, SchemaChanges.AUDIT_ACTION, mapping.name(), database,
                        "table " + name + " added to publication " + publication + " on the source");
                any = true;
            } catch (SQLException e) {
                if (PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                    any = true; // listed by an earlier attempt
                } else {
                    failures.add("table " + name + " not added to publication " + publication + " on the source: "
                            + PgErrors.describe(e) + (PgErrors.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())
                            ? " (the source user must own the table or be a member of its owner role)" : ""));
                }
            }
        }
        return any;
    }

    /** The subscription learns the publication's new tables; each gets an initial copy of its own. */
    private void refresh(Mapping mapping, String database, List<String> failures) {
        String subscription = ReplicationNames.of(mapping.name(), database).subscription();
        try (Connection c = connector.act(mapping.destination(), database); java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER SUBSCRIPTION " + Identifiers.quote(subscription)
                    + " REFRESH PUBLICATION WITH (copy_data = true)");
        } catch (SQLException e) {
            failures.add("subscription " + subscription + " not refreshed: " + PgErrors.describe(e));
        }
    }
}
