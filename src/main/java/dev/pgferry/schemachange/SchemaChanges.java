package dev.pgferry.schemachange;

import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.SourceFacts;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.replication.PublishedTable;
import dev.pgferry.reports.LastReports;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Column;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The schema changes of each streaming database: classified after every comparison of the drift
 * guard (beside the loop), kept with what happened to them, and offered to the planner as an
 * {@link SchemaOutlook}. Reading the definitions costs a few catalog queries on each side, done
 * only when the differences are new.
 */
@Component
public class SchemaChanges {

    /** After a failure a change waits before it is tried again: one minute, doubling up to 15. */
    static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    static final Duration LAST_RETRY = Duration.ofMinutes(15);
    /** The kinds of change whose absence on the destination stops the apply worker. */
    private static final Set<String> STOPS_APPLY = Set.of("column added", "column renamed", "column changed");

    private final FidelityCheck fidelity;
    private final DefinitionReader reader;
    private final DdlCapture capture;
    private final Clock clock;
    private final LastReports<ChangeReport> reports = new LastReports<>();
    private final LastReports<List<Difference>> classifiedFrom = new LastReports<>();
    private final LastReports<ApplyErrors> applyErrors = new LastReports<>();
    private final LastReports<Boolean> historyLoaded = new LastReports<>();
    private final ControlRecords records;

    public SchemaChanges(FidelityCheck fidelity, DefinitionReader reader, DdlCapture capture, ControlRecords records,
            Clock clock) {
        this.records = records;
        this.capture = capture;
        this.fidelity = fidelity;
        this.reader = reader;
        this.clock = clock;
    }

    /** The drift guard's comparison, then the classification of what differs. */
    public FidelityReport compare(Mapping mapping, String database, Duration fullEvery) {
        loadHistory(mapping, database);
        FidelityReport report = fidelity.runIfChanged(mapping, database, fullEvery);
        classify(mapping, database, report);
        capture.read(mapping, database);
        return report;
    }


    /** Compares now, in full, and classifies (after applying, and for an operator's confirmation). */
    FidelityReport compareNow(Mapping mapping, String database) {
        FidelityReport report = fidelity.run(mapping, database);
        classify(mapping, database, report);
        capture.read(mapping, database);
        return report;
    }

    /** Classifies the report's differences, reading the definitions on both sides unless they were classified already. */
    void classify(Mapping mapping, String database, FidelityReport report) {
        if (report.error() != null) {
            return; // the last classification stands; the drift guard shows the error
        }
        if (report.differences().isEmpty()) {
            classifiedFrom.forget(mapping.name(), database);
            keep(mapping.name(), database, List.of(), null);
            return;
        }
        if (report.differences().equals(classifiedFrom.lastOrNull(mapping.name(), database))) {
            return;
        }
        try {
            Definitions mine = reader.read(mapping.source(), database);
            Definitions theirs = reader.read(mapping.destination(), database);
            Map<String, Boolean> casts = new HashMap<>();
            for (Difference d : report.differences()) {
                Column a = mine.columns().get(d.name());
                Column b = theirs.columns().get(d.name());
                if (d.kind().equals("column") && a != null && b != null && !a.baseType().equals(b.baseType())) {
                    casts.put(b.baseType() + "\u0000" + a.baseType(), reader.assignable(mapping.destination(),
                            database, b.baseType(), a.baseType()));
                }
            }
            BiPredicate<String, String> assignable = (from, to) -> casts.getOrDefault(from + "\u0000" + to, false);
            List<SchemaChange> changes = ChangeClassifier.classify(report.differences(), mine, theirs, assignable);
            classifiedFrom.keep(mapping.name(), database, report.differences());
            keep(mapping.name(), database, changes, null);
        } catch (SQLException | DataAccessException e) {
            keep(mapping.name(), database, List.of(), "could not read the definitions to classify the differences: "
                    + PgErrors.describe(e));
        }
    }

    /**
     * After a restart, the history of what pgferry applied comes back from the audit log on the
     * destination (once per database, beside the loop): each entry as it was written.
     */
    private void loadHistory(Mapping mapping, String database) {
        if (historyLoaded.lastOrNull(mapping.name(), database) != null) {
            return;
        }
        try {
            List<ChangeReport.Applied> history = records.recent(mapping.destination(), mapping.name(), database,
                    AUDIT_ACTION, ChangeReport.HISTORY).stream().map(e -> new ChangeReport.Applied(e.at(), e.actor(),
                    "", e.detail(), "", "")).toList();
            reports.update(mapping.name(), database, r -> (r == null ? ChangeReport.EMPTY : r).withHistory(history));
            historyLoaded.keep(mapping.name(), database, Boolean.TRUE);
        } catch (SQLException | DataAccessException e) {
            // tried again with the next comparison; the history is a convenience
        }
    }

    /** The audit log's action of every change pgferry applies. */
    static final String AUDIT_ACTION = "schema-change";

    /** Keeps a classification of the database's differences (or why there is none), with its history. */
    void keep(String mapping, String database, List<SchemaChange> changes, String error) {
        Instant now = clock.instant();
        reports.update(mapping, database, r -> (r == null ? ChangeReport.EMPTY : r).withChanges(now, changes, error));
    }

    /** The database's changes as last classified, with their history; empty before the first difference. */
    public ChangeReport report(String mapping, String database) {
        ChangeReport report = reports.lastOrNull(mapping, database);
        return report == null ? ChangeReport.EMPTY : report;
    }

    /** How many apply errors the subscription had at the last look, and when the count last rose. */
    private record ApplyErrors(long count, Instant roseAt) {
    }

    /**
     * What the planner is told: the changes due now under the mapping's policy (not while one
     * waits after a failure), and which change the apply worker waits for when it keeps failing
     * (its error count rose in the last minute, or it is not running) while the destination lacks
     * a column the source has.
     */
    public SchemaOutlook outlook(Mapping mapping, ObservedDatabase observed) {
        if (!carriedOver(mapping) || observed.reverse().isPresent() || observed.completionRecorded()) {
            return SchemaOutlook.NONE;
        }
        ChangeReport report = report(mapping.name(), observed.database());
        Instant now = clock.instant();
        List<SchemaChange> due = report.changes().stream()
                .filter(c -> c.automaticUnder(mapping.schemaChanges().policy()))
                .filter(c -> waitOver(report.failures().get(c.id()), now)).toList();
        String waitingFor = null;
        if (observed.subscription().isPresent()) {
            long errors = observed.subscription().get().applyErrors();
            ApplyErrors seen = applyErrors.update(mapping.name(), observed.database(), before -> before == null
                    ? new ApplyErrors(errors, null) : new ApplyErrors(errors, errors > before.count() ? now
                            : before.roseAt()));
            boolean failing = !observed.subscription().get().applyWorkerRunning()
                    || seen.roseAt() != null && seen.roseAt().plus(Duration.ofMinutes(1)).isAfter(now);
            if (failing) {
                Mapping.SchemaChangePolicy policy = mapping.schemaChanges().policy();
                waitingFor = report.changes().stream().filter(c -> STOPS_APPLY.contains(c.what()))
                        .map(c -> c.what() + " " + c.object() + " (" + (c.automaticUnder(policy) ? "pgferry applies it"
                                : c.confirmableUnder(policy) ? "it waits for confirmation on the database's page"
                                : "apply it on the destination by hand: the database's page shows how") + ")")
                        .findFirst().orElse(null);
            }
        }
        boolean carried = mapping.schemaChanges().policy() == Mapping.SchemaChangePolicy.APPLY_SAFE
                && observed.subscription().isPresent() && observed.publicationExists()
                && waitOver(report.failures().get(PUBLICATION), now);
        List<ObservedDatabase.Table> gaps = carried ? publicationGaps(observed) : List.of();
        boolean refresh = carried && observed.tables().stream().anyMatch(t -> t.published() && t.syncState() == null
                && t.destinationRows() != null);
        return new SchemaOutlook(due, gaps.stream().map(t -> new PublishedTable(t.schema(), t.name())).toList(),
                refresh, waitingFor);
    }

    /**
     * Top-level tables both sides have that the publication does not list, though it lists others,
     * and that pgferry would have published at the start: permanent, with a key or replica
     * identity (every partition of a partitioned one). Only a new table whose publishing failed
     * after the destination got it is such a table; the source's facts say which have keys.
     */
    static List<ObservedDatabase.Table> publicationGaps(ObservedDatabase observed) {
        if (observed.sourceFacts().isEmpty() || observed.tables().stream().noneMatch(ObservedDatabase.Table::published)) {
            return List.of();
        }
        List<SourceFacts.Relation> relations = observed.sourceFacts().get().relations();
        return observed.tables().stream().filter(t -> !t.published() && t.destinationRows() != null).filter(t -> {
            List<SourceFacts.Relation> leaves = relations.stream().filter(r -> r.rootSchema().equals(t.schema())
                    && r.rootName().equals(t.name()) && !r.partitioned()).toList();
            return !leaves.isEmpty() && leaves.stream().allMatch(r -> r.hasKey() && !r.unlogged());
        }).toList();
    }

    /**
     * Whether pgferry carries schema changes over for this mapping: when it copies the whole
     * schema (CONTENT=schema-and-data, no scope), as the drift guard compares it.
     */
    public static boolean carriedOver(Mapping mapping) {
        return mapping.content() == Mapping.Content.SCHEMA_AND_DATA && mapping.scope().equals(dev.pgferry.config.Scope.ALL);
    }

    private static boolean waitOver(ChangeReport.Failure failure, Instant now) {
        if (failure == null) {
            return true;
        }
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failure.attempts() - 1, 4));
        return !now.isBefore(failure.at().plus(wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait));
    }

    /** The key under which a failure to publish new tables or refresh the subscription is kept. */
    static final String PUBLICATION = "publication";

    void succeeded(String mapping, String database, String id) {
        reports.update(mapping, database, r -> r == null || !r.failures().containsKey(id) ? r : r.without(id));
    }

    void applied(String mapping, String database, ChangeReport.Applied done) {
        reports.update(mapping, database, r -> (r == null ? ChangeReport.EMPTY : r).withApplied(done));
    }

    void failed(String mapping, String database, String id, String message) {
        reports.update(mapping, database, r -> (r == null ? ChangeReport.EMPTY : r).withFailure(id, clock.instant(),
                message));
    }

    /** Forgets a database's changes (it completed or started over). */
    public void forget(String mapping, String database) {
        reports.forget(mapping, database);
        classifiedFrom.forget(mapping, database);
        applyErrors.forget(mapping, database);
        historyLoaded.forget(mapping, database);
    }
}
