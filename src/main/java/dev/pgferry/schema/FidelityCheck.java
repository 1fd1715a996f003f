package dev.pgferry.schema;

import dev.pgferry.reports.LastReports;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.schema.SchemaComparison.SchemaObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Compares a database's schema on both sides from the catalogs (pg_dump cannot read a newer
 * server, and both sides must be read the same way). Run on request; the last report per
 * database is kept in memory for the drill-down.
 */
@Component
public class FidelityCheck {

    private final PgConnector connector;
    private final Clock clock;
    private final LastReports<FidelityReport> lastReports = new LastReports<>();

    public FidelityCheck(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /**
     * Compares now. The report is dated when the reading began, and it replaces the kept one only
     * if that one began earlier: a comparison that started before a change and ends after a newer
     * one must not put the older picture back.
     */
    public FidelityReport run(Mapping mapping, String database) {
        Instant started = clock.instant();
        FidelityReport report;
        try {
            boolean privileged = destinationUserIsSuperuser(mapping, database);
            String[] users = {mapping.source().user(), mapping.destination().user()};
            List<SchemaObject> source = read(mapping.source(), database, privileged, loginBeforeFreeze(mapping), users);
            List<SchemaObject> destination = read(mapping.destination(), database, privileged, new String[0], users);
            boolean merge = mapping.roleConflict() == Mapping.RoleConflict.MERGE;
            report = FidelityReport.of(database, started, source.size(), destination.size(),
                    SchemaComparison.compare(source, destination), merge, merge ? createdRoles(mapping) : Set.of());
        } catch (SQLException | DataAccessException e) {
            report = FidelityReport.failed(database, started, PgErrors.describe(e));
        }
        keep(mapping.name(), database, report);
        return report;
    }

    /** When a database's schema was last compared in full, and how often each side's catalogs had been written then. */
    private record Compared(String catalogWrites, Instant at) {
    }

    private final LastReports<Compared> compared = new LastReports<>();

    /**
     * The drift guard's check: compares the schema again only when the catalogs of either side
     * were written to since the last full comparison (any DDL writes them), or when that is older
     * than {@code fullEvery}; otherwise the last identical report stands, renewed as of now.
     * Counting the writes costs each server a few microseconds; comparing, a complex query.
     */
    public FidelityReport runIfChanged(Mapping mapping, String database, Duration fullEvery) {
        FidelityReport last = lastReports.lastOrNull(mapping.name(), database);
        Compared before = compared.lastOrNull(mapping.name(), database);
        Instant now = clock.instant();
        String writes;
        try {
            writes = catalogWrites(mapping.source(), database) + "|" + catalogWrites(mapping.destination(), database);
        } catch (SQLException | DataAccessException e) {
            FidelityReport failed = FidelityReport.failed(database, now, PgErrors.describe(e));
            keep(mapping.name(), database, failed);
            return failed;
        }
        if (last != null && last.identical() && before != null && before.catalogWrites().equals(writes)
                && before.at().plus(fullEvery).isAfter(now)) {
            FidelityReport renewed = new FidelityReport(database, now, last.sourceObjects(), last.destinationObjects(),
                    List.of(), last.reusedRoles(), null);
            keep(mapping.name(), database, renewed);
            return renewed;
        }
        FidelityReport report = run(mapping, database);
        compared.keep(mapping.name(), database, new Compared(writes, now));
        return report;
    }

    private String catalogWrites(dev.pgferry.config.Instance instance, String database) throws SQLException {
        try (Connection c = connector.observe(instance, database)) {
            return Jdbc.over(c).sql(FingerprintQuery.CATALOG_WRITES).query(String.class).single();
        }
    }

    private void keep(String mapping, String database, FidelityReport fresh) {
        lastReports.update(mapping, database, kept -> kept != null && fresh.checkedAt().isBefore(kept.checkedAt())
                ? kept : fresh);
    }

    /** The last report for that database, or null when none was run since start-up. */
    public FidelityReport last(String mapping, String database) {
        return lastReports.lastOrNull(mapping, database);
    }

    /** The schema's objects and the roles the database needs, as the fingerprint queries render them. */
    private List<SchemaObject> read(dev.pgferry.config.Instance instance, String database, boolean privileged,
            String[] frozenLogins, String[] users) throws SQLException {
        try (Connection c = connector.observe(instance, database)) {
            RowMapper<SchemaObject> object = (rs, n) -> new SchemaObject(rs.getString("kind"), rs.getString("name"),
                    rs.getString("detail"));
            List<SchemaObject> objects = new ArrayList<>(Jdbc.over(c).sql(FingerprintQuery.SQL).query(object).list());
            objects.addAll(Jdbc.over(c).sql(FingerprintQuery.ROLES).param(privileged)
                    .param(c.createArrayOf("text", frozenLogins)).param(c.createArrayOf("text", users))
                    .query(object).list());
            return objects;
        }
    }

    /**
     * The login roles a freeze (of any mapping: roles are shared) set NOLOGIN on the source, from
     * its ledger there (see cutover.FreezeLedger); none when nothing is frozen.
     */
    private String[] loginBeforeFreeze(Mapping mapping) throws SQLException {
        try (Connection c = connector.observe(mapping.source(), mapping.source().maintenanceDatabase())) {
            var jdbc = Jdbc.over(c);
            if (!jdbc.sql("SELECT to_regclass('pgferry.freeze_change') IS NOT NULL").query(Boolean.class).single()) {
                return new String[0];
            }
            return jdbc.sql("SELECT target FROM pgferry.freeze_change WHERE kind = 'role-login' AND previous = 'true'")
                    .query(String.class).list().toArray(String[]::new);
        }
    }

    /** The roles pgferry created on the destination (pgferry.created_role), as quoted names. */
    private Set<String> createdRoles(Mapping mapping) throws SQLException {
        try (Connection c = connector.observe(mapping.destination(), mapping.destination().maintenanceDatabase())) {
            return Set.copyOf(Jdbc.over(c).sql("SELECT quote_ident(r.rolname) FROM pgferry.created_role cr "
                    + "JOIN pg_roles r ON r.oid = cr.role_oid").query(String.class).list());
        } catch (DataAccessException e) {
            if (e.getMostSpecificCause() instanceof SQLException cause
                    && PgErrors.UNDEFINED_TABLE.equals(cause.getSQLState())) {
                return Set.of(); // no records yet: pgferry created no role there
            }
            throw e;
        }
    }

    /**
     * Whether SUPERUSER, REPLICATION and BYPASSRLS of the roles are compared: a destination user
     * that is not superuser created the roles without them (pre-flight roles.privileged_attributes
     * warned), so they would differ for good.
     */
    private boolean destinationUserIsSuperuser(Mapping mapping, String database) throws SQLException {
        try (Connection c = connector.observe(mapping.destination(), database)) {
            return Jdbc.over(c).sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").query(Boolean.class)
                    .single();
        }
    }
}
