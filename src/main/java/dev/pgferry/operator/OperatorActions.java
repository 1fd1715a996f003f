package dev.pgferry.operator;

import dev.pgferry.reconcile.ReconcileLoop;
import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.MappingLeases;
import dev.pgferry.reconcile.MappingTurns;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.status.Phase;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.cutover.CompletionMarker;
import dev.pgferry.cutover.CompletionMarker.CompletionException;
import dev.pgferry.ownership.OwnershipRecords;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.ReplicationObjects;
import dev.pgferry.copy.SnapshotCopies;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import dev.pgferry.monitor.ExactCounter;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.schema.FidelityReport;
import org.springframework.stereotype.Service;

/**
 * Operator actions on a mapping (start, complete, counts, the fidelity check, starting a failed database over), checked against its
 * last observed status, then carried out by the loop; the cutover steps are {@link CutoverActions}.
 */
@Service
public class OperatorActions {

    private final PgferryConfig config;
    private final StatusBoard board;
    private final CompletionMarker completion;
    private final ReconcileLoop loop;
    private final ControlRecords records;
    private final ExactCounter counter;
    private final FidelityCheck fidelity;
    private final ReplicationObjects replication;
    private final OwnershipRecords ownership;
    private final MappingTurns turns;
    private final MappingLeases leases;
    private final SnapshotCopies copies;
    /** How long complete waits for a running snapshot copy to stop. */
    static final Duration COPY_STOP_WAIT = Duration.ofSeconds(60);

    public OperatorActions(PgferryConfig config, StatusBoard board, CompletionMarker completion, ReconcileLoop loop,
            ControlRecords records, ExactCounter counter, FidelityCheck fidelity, ReplicationObjects replication,
            OwnershipRecords ownership, MappingTurns turns, MappingLeases leases, SnapshotCopies copies) {
        this.turns = turns;
        this.leases = leases;
        this.copies = copies;
        this.replication = replication;
        this.ownership = ownership;
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
        return turns.betweenTicks(mapping, () -> {
            MappingStatus status = board.get(mappingName).orElseThrow();
            if (status.effectiveMode() != Mode.RUN) {
                throw new ActionRefused("mapping " + mappingName + " is in mode plan and has created nothing to "
                        + "complete: start it first");
            }
            if (status.databases().isEmpty()) {
                throw new ActionRefused("mapping " + mappingName + " has not been observed yet; try again in a moment");
            }
            // turned around (SWITCHED): the applications use the destination already; complete retires the source
            boolean switched = status.databases().stream().allMatch(d -> d.phase() == Phase.SWITCHED
                    || d.phase() == Phase.COMPLETE);
            if (!force && !switched && !status.cutoverReady() && status.phase() != Phase.COMPLETE) {
                Optional<DatabaseStatus> blocking = status.databases().stream().filter(d -> !d.cutoverReady()
                        && d.phase() != Phase.COMPLETE).findFirst();
                throw new ActionRefused("mapping " + mappingName + " is not cutover-ready"
                        + blocking.map(d -> ": " + d.database() + " is " + d.phase() + " (" + d.plan().reason() + ")")
                                .orElse("") + ". Wait for the green light, or force it with a second confirmation.");
            }
            List<String> databases = status.databases().stream().map(DatabaseStatus::database).toList();
            // a copy still loading tables would go on writing into the database the applications now own
            for (String database : databases) {
                if (!copies.cancel(mappingName, database, COPY_STOP_WAIT)) {
                    throw new ActionRefused("the snapshot copy of " + database + " did not stop within "
                            + COPY_STOP_WAIT.toSeconds() + " s; nothing was marked complete: try again");
                }
            }
            try {
                completion.markComplete(mapping, databases, actor, force);
            } catch (CompletionException e) {
                throw new ActionRefused(e.getMessage());
            }
            return loop.tickNow(mapping);
        });
    }

    /**
     * Starts a mapping configured in plan mode: from now on (and after restarts, by a marker on
     * the destination) it acts as in run mode. Blocked databases stay blocked until fixed.
     */
    public MappingStatus start(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        return turns.betweenTicks(mapping, () -> startBetweenTicks(mapping, actor));
    }

    private MappingStatus startBetweenTicks(Mapping mapping, String actor) throws ActionRefused {
        String mappingName = mapping.name();
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

    /**
     * Compares the schema of every database of the mapping on both sides now (read-only) and
     * writes the outcome to the audit log; the reports also show on the pages afterwards.
     */
    public List<FidelityReport> checkFidelity(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        leases.requireHeld(mapping);
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
        leases.requireHeld(mapping);
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

    /**
     * Starts one failed database over: its subscription cannot go on (its slot lost the WAL it
     * needed, or the slot or publication is gone), so it is dropped and the tables it wrote
     * emptied, in one transaction; the loop then copies the database again from a new slot.
     * Refused unless the database is FAILED with a subscription: it never touches a healthy one.
     */
    public MappingStatus startOver(String mappingName, String database, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        return turns.betweenTicks(mapping, () -> startOverBetweenTicks(mapping, database, actor));
    }

    private MappingStatus startOverBetweenTicks(Mapping mapping, String database, String actor)
            throws ActionRefused {
        String mappingName = mapping.name();
        MappingStatus status = board.get(mappingName).orElseThrow();
        requireRun(status);
        DatabaseStatus db = status.database(database).orElseThrow(() -> new ActionRefused("mapping " + mappingName
                + " has no database " + database + "; see the mapping's page for its databases"));
        if (db.phase() != Phase.FAILED || db.observed().subscription().isEmpty()) {
            throw new ActionRefused("database " + database + " is " + db.phase() + ": only a FAILED database whose "
                    + "subscription cannot go on (slot lost or gone, publication gone) is started over");
        }
        String subscription = ReplicationNames.of(mappingName, database).subscription();
        try {
            if (mapping.content() != Mapping.Content.DATA_ONLY) {
                // data-only writes into a database the operator handed over for that; others must be pgferry's
                ownership.requireOwned(mapping.destination(), mapping.name(), database, "start over of " + database);
            }
            int emptied = replication.abandonSubscription(mapping.destination(), database, subscription);
            // a start over keeps nothing of an earlier snapshot copy: it is not resumed (its slot went with
            // the subscription, so a stop right before this line cannot make it resume either)
            records.forgetSnapshotCopy(mapping.destination(), mapping.name(), database);
            records.auditAfterwards(mapping.destination(), actor, "start-over", mapping.name(), database,
                    "was " + db.phase() + " (" + db.plan().reason() + "); subscription " + subscription
                            + " dropped and " + Math.max(0, emptied) + " table(s) emptied; copying again");
        } catch (ActionException e) {
            throw new ActionRefused("could not start " + database + " over: " + e.getMessage());
        } catch (java.sql.SQLException e) {
            throw new ActionRefused("could not start " + database + " over: " + dev.pgferry.pg.PgErrors.describe(e));
        }
        return loop.tickNow(mapping);
    }

    /** Actions that write on the destination wait until the mapping runs. */
    static void requireRun(MappingStatus status) throws ActionRefused {
        if (status.effectiveMode() != Mode.RUN) {
            throw new ActionRefused("mapping " + status.mapping().name() + " is in mode plan: pgferry writes nothing "
                    + "on the destination until it is started");
        }
    }
}
