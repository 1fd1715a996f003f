package dev.pgferry.reconcile;

import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.cutover.CompletionMarker;
import dev.pgferry.cutover.CompletionMarker.CompletionException;
import dev.pgferry.pg.PgErrors;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import dev.pgferry.cutover.Drain;
import dev.pgferry.cutover.MaterializedViews;
import dev.pgferry.cutover.MaterializedViews.RefreshReport;
import dev.pgferry.cutover.SequenceSync;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.cutover.SequenceSync.SequenceReport;
import dev.pgferry.monitor.ExactCounter;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.schema.FidelityReport;
import org.springframework.stereotype.Service;

/** Operator actions on a mapping, checked against its last observed status, then carried out by the loop. */
@Service
public class OperatorActions {

    private final PgferryConfig config;
    private final StatusBoard board;
    private final CompletionMarker completion;
    private final ReconcileLoop loop;
    private final ControlRecords records;
    private final ExactCounter counter;
    private final FidelityCheck fidelity;
    private final SequenceSync sequences;
    private final MaterializedViews views;
    private final Verifier verifier;
    private final Drain drain;

    public OperatorActions(PgferryConfig config, StatusBoard board, CompletionMarker completion, ReconcileLoop loop,
            ControlRecords records, ExactCounter counter, FidelityCheck fidelity, SequenceSync sequences,
            MaterializedViews views, Verifier verifier, Drain drain) {
        this.drain = drain;
        this.views = views;
        this.verifier = verifier;
        this.sequences = sequences;
        this.counter = counter;
        this.fidelity = fidelity;
        this.config = config;
        this.board = board;
        this.completion = completion;
        this.loop = loop;
        this.records = records;
    }

    /**
     * Marks every database of the mapping complete and removes its replication objects. Refused
     * unless the mapping is cutover-ready, unless forced.
     */
    public MappingStatus complete(String mappingName, String actor, boolean force) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (status.effectiveMode() != Mode.RUN) {
            throw new ActionRefused("mapping " + mappingName + " is in mode plan and has created nothing to "
                    + "complete: start it first");
        }
        if (status.databases().isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has not been observed yet; try again in a moment");
        }
        if (!force && !status.cutoverReady() && status.phase() != Phase.COMPLETE) {
            Optional<DatabaseStatus> blocking = status.databases().stream().filter(d -> !d.cutoverReady()
                    && d.phase() != Phase.COMPLETE).findFirst();
            throw new ActionRefused("mapping " + mappingName + " is not cutover-ready"
                    + blocking.map(d -> ": " + d.database() + " is " + d.phase() + " (" + d.plan().reason() + ")")
                            .orElse("") + ". Wait for the green light, or force it with a second confirmation.");
        }
        List<String> databases = status.databases().stream().map(DatabaseStatus::database).toList();
        try {
            completion.markComplete(mapping, databases, actor, force);
        } catch (CompletionException e) {
            throw new ActionRefused(e.getMessage());
        }
        return loop.tickNow(mapping);
    }

    /**
     * Starts a mapping configured in plan mode: from now on (and after restarts, by a marker on
     * the destination) it acts as in run mode. Blocked databases stay blocked until fixed.
     */
    public MappingStatus start(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (status.effectiveMode() == Mode.RUN) {
            throw new ActionRefused("mapping " + mappingName + " already runs");
        }
        try {
            records.requestStart(mapping.destination(), mapping.name(), actor);
            records.audit(mapping.destination(), actor, "start", mapping.name(), null,
                    "started from plan mode; databases: " + status.databases().stream()
                            .map(d -> d.database() + " " + d.phase()).toList());
        } catch (SQLException e) {
            throw new ActionRefused("could not record the start on destination " + mapping.destination().name()
                    + ": " + PgErrors.describe(e));
        }
        return loop.tickNow(mapping);
    }

    /** The largest safety margin, in increments, that sync-sequences accepts. */
    public static final long MAX_SEQUENCE_MARGIN = 1_000_000_000L;

    /**
     * Sets every destination sequence of every database of the mapping from the source (plus
     * {@code margin} increments), never moving one back; meant for the frozen source at cutover.
     */
    public List<SequenceReport> syncSequences(String mappingName, String actor, long margin) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (margin < 0 || margin > MAX_SEQUENCE_MARGIN) {
            throw new ActionRefused("margin=" + margin + ": use 0 (exact) up to " + MAX_SEQUENCE_MARGIN
                    + " increments");
        }
        requireRun(status);
        List<DatabaseStatus> ready = status.databases().stream().filter(d -> d.observed().sourceDatabaseExists()
                && d.observed().destinationDatabaseExists()).toList();
        if (ready.isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has no database on both sides yet");
        }
        List<SequenceReport> reports = ready.stream().map(d -> sequences.run(mapping, d.database(), margin, actor))
                .toList();
        long changed = reports.stream().mapToLong(SequenceReport::changed).sum();
        long failed = reports.stream().filter(r -> r.error() != null).count();
        records.auditAfterwards(mapping.destination(), actor, "sync-sequences", mapping.name(), null, changed
                    + " sequence(s) set in " + reports.size() + " database(s), margin " + margin
                    + (failed > 0 ? ", " + failed + " database(s) failed" : ""));
        return reports;
    }

    /**
     * Refreshes every materialized view of every database of the mapping on the destination
     * (created empty by the schema copy); a cutover step, after the last changes arrived.
     */
    public List<RefreshReport> refreshMaterializedViews(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        requireRun(status);
        List<DatabaseStatus> there = status.databases().stream()
                .filter(d -> d.observed().destinationDatabaseExists()).toList();
        if (there.isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has no database on the destination yet");
        }
        List<RefreshReport> reports = there.stream().map(d -> views.refresh(mapping, d.database(), actor)).toList();
        long refreshed = reports.stream().mapToLong(r -> r.views().size() - r.failed()).sum();
        long failed = reports.stream().mapToLong(r -> r.failed() + (r.error() == null ? 0 : 1)).sum();
        records.auditAfterwards(mapping.destination(), actor, "refresh-matviews", mapping.name(), null, refreshed
                    + " materialized view(s) refreshed in " + reports.size() + " database(s)"
                    + (failed > 0 ? ", " + failed + " failed" : ""));
        return reports;
    }

    /**
     * Queues the verification of every database of the mapping: exact rows and checksums per
     * table, in key ranges, on both sides; meant for the frozen, drained source at cutover.
     */
    public int verify(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        List<DatabaseStatus> both = status.databases().stream().filter(d -> d.observed().sourceDatabaseExists()
                && d.observed().destinationDatabaseExists()).toList();
        if (both.isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has no database on both sides yet");
        }
        int queued = 0;
        for (DatabaseStatus database : both) {
            if (verifier.request(mapping, database.database(), database.replicatedTables(), actor)) {
                queued++;
            }
        }
        if (queued == 0) {
            throw new ActionRefused("a verification of mapping " + mappingName + " is already running; its progress "
                    + "shows on each database's page");
        }
        return queued;
    }

    /**
     * Records the freeze point of every database of the mapping once no session writes on the
     * source (all or none); the pages then show when each database has drained past it.
     */
    public List<Drain.FreezePoint> drain(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        List<DatabaseStatus> replicating = status.databases().stream()
                .filter(d -> d.observed().slot().isPresent()).toList();
        if (replicating.isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has no replicating database to drain");
        }
        List<Drain.Outcome> outcomes = replicating.stream().map(d -> drain.check(mapping, d.database(), actor))
                .toList();
        List<String> refusals = outcomes.stream().map(Drain.Outcome::refusal).filter(r -> r != null).toList();
        if (!refusals.isEmpty()) {
            throw new ActionRefused("not drained: " + String.join("; ", refusals));
        }
        List<Drain.FreezePoint> points = outcomes.stream().map(Drain.Outcome::point).toList();
        points.forEach(p -> drain.record(mappingName, p));
        records.auditAfterwards(mapping.destination(), actor, "drain", mapping.name(), null, "freeze points: "
                    + points.stream().map(p -> p.database() + " " + p.lsnText()).toList());
        return points;
    }

    /**
     * Compares the schema of every database of the mapping on both sides now (read-only) and
     * writes the outcome to the audit log; the reports also show on the pages afterwards.
     */
    public List<FidelityReport> checkFidelity(String mappingName, String actor) {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        List<FidelityReport> reports = status.databases().stream().map(d -> fidelity.run(mapping, d.database()))
                .toList();
        long different = reports.stream().filter(r -> !r.identical()).count();
        records.auditAfterwards(mapping.destination(), actor, "fidelity", mapping.name(), null, reports.size()
                    + " database(s) compared, " + different + " with differences");
        return reports;
    }

    /**
     * Queues exact row counts (count(*) on both sides, one table at a time) of one database of
     * the mapping; refused while one is already running for it.
     */
    public void countRows(String mappingName, String database, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        DatabaseStatus status = board.get(mappingName).orElseThrow().database(database)
                .orElseThrow(() -> new ActionRefused("mapping " + mappingName + " has no database " + database
                        + " (yet); see the mapping's page for its databases"));
        if (!status.observed().sourceDatabaseExists() || !status.observed().destinationDatabaseExists()) {
            throw new ActionRefused("database " + database + " must exist on both sides to be counted; it does "
                    + "once pgferry has copied its schema");
        }
        if (!counter.request(mapping, database, status.replicatedTables(), actor)) {
            throw new ActionRefused("an exact count of " + database + " is already running; its progress shows "
                    + "on the database's page");
        }
        records.auditAfterwards(mapping.destination(), actor, "count-rows", mapping.name(), database,
                "exact row counts of " + status.replicatedTables().size() + " table(s) queued");
    }

    /** Actions that write on the destination wait until the mapping runs. */
    private static void requireRun(MappingStatus status) throws ActionRefused {
        if (status.effectiveMode() != Mode.RUN) {
            throw new ActionRefused("mapping " + status.mapping().name() + " is in mode plan: pgferry writes nothing "
                    + "on the destination until it is started");
        }
    }

    /** The action could not be taken; the message says why and what to do. */
    public static class ActionRefused extends Exception {
        public ActionRefused(String message) {
            super(message);
        }
    }

    /** No mapping of that name is configured. */
    public static class UnknownMapping extends RuntimeException {
        public UnknownMapping(String name) {
            super("no mapping named " + name);
        }
    }
}
