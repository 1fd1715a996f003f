package dev.pgferry.operator;

import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.MappingLeases;
import dev.pgferry.reconcile.MappingTurns;
import dev.pgferry.faults.CrashPoints;
import dev.pgferry.reconcile.ReconcileLoop;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.pg.PgErrors;
import java.sql.SQLException;
import dev.pgferry.status.Phase;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.cutover.Drain;
import dev.pgferry.cutover.Freeze;
import dev.pgferry.cutover.Freeze.FreezeFailed;
import dev.pgferry.cutover.FreezeChange;
import dev.pgferry.cutover.FreezeOutlook;
import dev.pgferry.cutover.FreezeOutlooks;
import dev.pgferry.cutover.MaterializedViews;
import dev.pgferry.cutover.MaterializedViews.RefreshReport;
import dev.pgferry.cutover.SequenceSync;
import dev.pgferry.cutover.SequenceSync.SequenceReport;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.largeobjects.LargeObjectSync;
import dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * The cutover steps of a mapping, in runbook order: freeze, drain, sequences, large objects,
 * materialized views, verify (complete and unfreeze close it). Each is checked against the mapping's last observed
 * status, carried out on every database of the mapping and written to the audit log.
 */
@Service
public class CutoverActions {

    /** The largest safety margin, in increments, that sync-sequences accepts. */
    public static final long MAX_SEQUENCE_MARGIN = 1_000_000_000L;

    private final PgferryConfig config;
    private final StatusBoard board;
    private final ControlRecords records;
    private final Freeze freeze;
    private final Drain drain;
    private final SequenceSync sequences;
    private final MaterializedViews views;
    private final LargeObjectSync largeObjects;
    private final Verifier verifier;
    private final MappingTurns turns;
    private final MappingLeases leases;
    private final FreezeOutlooks outlooks;
    private final ReconcileLoop loop;
    private final ReverseChecks reverseChecks;

    public CutoverActions(PgferryConfig config, StatusBoard board, ControlRecords records, Freeze freeze, Drain drain,
            SequenceSync sequences, MaterializedViews views, Verifier verifier, MappingTurns turns,
            MappingLeases leases, FreezeOutlooks outlooks, ReconcileLoop loop, ReverseChecks reverseChecks,
            LargeObjectSync largeObjects) {
        this.largeObjects = largeObjects;
        this.outlooks = outlooks;
        this.loop = loop;
        this.reverseChecks = reverseChecks;
        this.turns = turns;
        this.leases = leases;
        this.config = config;
        this.board = board;
        this.records = records;
        this.freeze = freeze;
        this.drain = drain;
        this.sequences = sequences;
        this.views = views;
        this.verifier = verifier;
    }

    /**
     * Freezes the writes of every source database of the mapping for all application roles;
     * refused unless allowed by configuration and unless the mapping is cutover-ready (or forced).
     */
    public Freeze.Frozen freeze(String mappingName, String actor, boolean force) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> freezeBetweenTicks(mapping, actor, force));
    }

    private Freeze.Frozen freezeBetweenTicks(Mapping mapping, String actor, boolean force) throws ActionRefused {
        String mappingName = mapping.name();
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (!mapping.allowFreeze()) {
            throw new ActionRefused("the assisted freeze is off for mapping " + mappingName + ": set "
                    + FreezeOutlook.allowVariable(mapping) + "=true and restart pgferry, or freeze by hand with the commands on "
                    + "the cutover page");
        }
        OperatorActions.requireRun(status);
        if (!force && !status.cutoverReady() && status.phase() != Phase.COMPLETE) {
            Optional<DatabaseStatus> blocking = status.databases().stream().filter(d -> !d.cutoverReady()).findFirst();
            throw new ActionRefused("mapping " + mappingName + " is not cutover-ready"
                    + blocking.map(d -> " (" + d.database() + " is " + d.phase() + ": " + d.plan().reason() + ")")
                            .orElse("") + "; a freeze now stops the applications before the destination can take "
                    + "over. Wait for the green light, or force it with a second confirmation.");
        }
        List<String> databases = FreezeOutlooks.sourceDatabases(status);
        if (databases.isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has no database on the source to freeze");
        }
        try {
            Freeze.Frozen frozen = freeze.freeze(mapping, databases, actor);
            outlooks.readNow(status);
            records.auditAfterwards(mapping.destination(), actor, force ? "freeze (forced)" : "freeze", mappingName,
                    null, "roles set NOLOGIN: " + frozen.plan().roles().stream().map(r -> r.name()).toList()
                            + "; read-only databases: " + databases + "; sessions ended: " + frozen.sessionsEnded()
                            + (frozen.sessionsError() == null ? "" : " (" + frozen.sessionsError() + ")")
                            + "; newly recorded changes: " + frozen.recorded().size());
            return frozen;
        } catch (FreezeFailed e) {
            records.auditAfterwards(mapping.destination(), actor, "freeze", mappingName, null, "failed: "
                    + e.getMessage());
            throw new ActionRefused(e.getMessage());
        }
    }

    /**
     * Puts back every role and database setting the rollback's freeze changed on the destination,
     * exactly as recorded there; refused until every database is rolled back or complete.
     */
    public Freeze.Unfrozen unfreezeDestination(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        Optional<MappingStatus> status = board.get(mappingName);
        if (status.isPresent() && status.get().databases().stream().anyMatch(d -> d.phase() != Phase.ROLLED_BACK
                && d.phase() != Phase.COMPLETE)) {
            throw new ActionRefused("mapping " + mappingName + " is not rolled back: the destination's freeze holds "
                    + "until every database is ROLLED_BACK (or COMPLETE)");
        }
        try {
            Freeze.Unfrozen unfrozen = freeze.unfreeze(mapping, Freeze.Side.DESTINATION);
            records.auditAfterwards(mapping.destination(), actor, "unfreeze destination", mappingName, null,
                    "restored: " + unfrozen.restored().stream().map(CutoverActions::describe).toList());
            return unfrozen;
        } catch (FreezeFailed e) {
            throw new ActionRefused(e.getMessage());
        }
    }

    /** Puts back every role and database setting the freeze changed, exactly as recorded. */
    public Freeze.Unfrozen unfreeze(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        Optional<MappingStatus> status = board.get(mappingName);
        if (status.isPresent() && status.get().databases().stream().anyMatch(d -> d.phase() == Phase.SWITCHED)) {
            throw new ActionRefused("mapping " + mappingName + " is turned around (SWITCHED): the applications use the "
                    + "destination and its changes flow back to the frozen source; unfreezing it would let them write "
                    + "on both sides. Complete the mapping first (or roll it back)");
        }
        try {
            Freeze.Unfrozen unfrozen = freeze.unfreeze(mapping);
            board.get(mappingName).ifPresent(outlooks::readNow);
            records.auditAfterwards(mapping.destination(), actor, "unfreeze", mappingName, null, "restored: "
                    + unfrozen.restored().stream().map(CutoverActions::describe).toList()
                    + (unfrozen.gone().isEmpty() ? "" : "; gone meanwhile: "
                            + unfrozen.gone().stream().map(CutoverActions::describe).toList()));
            return unfrozen;
        } catch (FreezeFailed e) {
            records.auditAfterwards(mapping.destination(), actor, "unfreeze", mappingName, null, "failed: "
                    + e.getMessage());
            throw new ActionRefused(e.getMessage());
        }
    }

    /**
     * Records the freeze point of every database of the mapping once no session writes on the
     * source (all or none); the pages then show when each database has drained past it.
     */
    public List<Drain.FreezePoint> drain(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> drainBetweenTicks(mapping, actor));
    }

    private List<Drain.FreezePoint> drainBetweenTicks(Mapping mapping, String actor) throws ActionRefused {
        String mappingName = mapping.name();
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
     * Sets every destination sequence of every database of the mapping from the source (plus
     * {@code margin} increments), never moving one back; meant for the frozen source at cutover.
     */
    public List<SequenceReport> syncSequences(String mappingName, String actor, long margin) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> syncSequencesBetweenTicks(mapping, actor, margin));
    }

    private List<SequenceReport> syncSequencesBetweenTicks(Mapping mapping, String actor, long margin)
            throws ActionRefused {
        String mappingName = mapping.name();
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (margin < 0 || margin > MAX_SEQUENCE_MARGIN) {
            throw new ActionRefused("margin=" + margin + ": use 0 (exact) up to " + MAX_SEQUENCE_MARGIN
                    + " increments");
        }
        OperatorActions.requireRun(status);
        List<DatabaseStatus> ready = onBothSides(status);
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
     * Makes every destination database's large objects equal to the source's (contents, owners,
     * rights): copies what is new or changed since the copy, unlinks what the source no longer
     * has; meant for the frozen source at cutover, harmless before.
     */
    public List<LargeObjectReport> syncLargeObjects(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> syncLargeObjectsBetweenTicks(mapping, actor));
    }

    private List<LargeObjectReport> syncLargeObjectsBetweenTicks(Mapping mapping, String actor) throws ActionRefused {
        MappingStatus status = board.get(mapping.name()).orElseThrow();
        OperatorActions.requireRun(status);
        List<LargeObjectReport> reports = onBothSides(status).stream()
                .map(d -> largeObjects.run(mapping, d.database(), actor)).toList();
        long copied = reports.stream().filter(r -> r.error() == null).mapToLong(r -> r.outcome().copied()).sum();
        long removed = reports.stream().filter(r -> r.error() == null).mapToLong(r -> r.outcome().removed()).sum();
        long failed = reports.stream().filter(r -> r.error() != null).count();
        records.auditAfterwards(mapping.destination(), actor, "sync-large-objects", mapping.name(), null, copied
                + " large object(s) copied and " + removed + " removed in " + reports.size() + " database(s)"
                + (failed > 0 ? ", " + failed + " database(s) failed" : ""));
        return reports;
    }

    /**
     * Refreshes every materialized view of every database of the mapping on the destination
     * (created empty by the schema copy); a cutover step, after the last changes arrived.
     */
    public List<RefreshReport> refreshMaterializedViews(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> refreshBetweenTicks(mapping, actor));
    }

    private List<RefreshReport> refreshBetweenTicks(Mapping mapping, String actor) throws ActionRefused {
        String mappingName = mapping.name();
        MappingStatus status = board.get(mappingName).orElseThrow();
        OperatorActions.requireRun(status);
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
        Mapping mapping = mapping(mappingName);
        leases.requireHeld(mapping);
        MappingStatus status = board.get(mappingName).orElseThrow();
        int queued = 0;
        for (DatabaseStatus database : onBothSides(status)) {
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
     * Turns every database's replication around after the switch: the destination's changes then
     * flow back to the source, which stays frozen for the applications. Needs the assisted
     * reverse allowed, the source frozen and drained, and a verification of every database after
     * the freeze with every table equal (unless forced). Records the reversal of each database on
     * the destination, then the loop takes the forward direction down and sets up the reverse one.
     */
    public int reverse(String mappingName, String actor, boolean force) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> reverseBetweenTicks(mapping, actor, force));
    }

    private int reverseBetweenTicks(Mapping mapping, String actor, boolean force) throws ActionRefused {
        String mappingName = mapping.name();
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (!mapping.allowReverse()) {
            throw new ActionRefused("the reverse direction is off for mapping " + mappingName + ": set PGFERRY_MAPPINGS_"
                    + mappingName.toUpperCase(java.util.Locale.ROOT) + "_ALLOW_REVERSE=true (with ALLOW_FREEZE) and "
                    + "restart pgferry");
        }
        OperatorActions.requireRun(status);
        List<DatabaseStatus> databases = onBothSides(status);
        List<String> refusals = reverseChecks.refusals(mapping, status, databases, force);
        if (!refusals.isEmpty()) {
            throw new ActionRefused("not turned around (nothing changed): " + String.join("; ", refusals));
        }
        try {
            for (DatabaseStatus database : databases) {
                records.markReversed(mapping.destination(), mappingName, database.database(), actor);
            }
        } catch (SQLException e) {
            throw new ActionRefused("could not record the reversal on destination " + mapping.destination().name()
                    + ": " + PgErrors.describe(e));
        }
        records.auditAfterwards(mapping.destination(), actor, force ? "reverse (forced)" : "reverse", mappingName,
                null, "turned around: " + databases.stream().map(DatabaseStatus::database).toList() + "; the forward "
                        + "subscriptions go, the destination's changes flow back to the source");
        loop.tickNow(mapping);
        return databases.size();
    }

    /**
     * Rolls a turned-around mapping back to the source: freezes the applications' roles on the
     * destination (recorded there, undoable), takes each database's freeze point on the
     * destination once nothing writes there, and records the rollback; the loop then waits until
     * the source has everything up to that point, sets the source's sequences, verifies every
     * table, unfreezes the source and removes the reverse direction. Refused unless every
     * database is SWITCHED and rollback-ready (unless forced).
     */
    public int rollback(String mappingName, String actor, boolean force) throws ActionRefused {
        Mapping mapping = mapping(mappingName);
        return turns.betweenTicks(mapping, () -> rollbackBetweenTicks(mapping, actor, force));
    }

    private int rollbackBetweenTicks(Mapping mapping, String actor, boolean force) throws ActionRefused {
        String mappingName = mapping.name();
        MappingStatus status = board.get(mappingName).orElseThrow();
        OperatorActions.requireRun(status);
        Optional<DatabaseStatus> notSwitched = status.databases().stream()
                .filter(d -> d.phase() != Phase.SWITCHED).findFirst();
        if (status.databases().isEmpty() || notSwitched.isPresent()) {
            throw new ActionRefused("only a mapping turned around (every database SWITCHED) is rolled back"
                    + notSwitched.map(d -> ": " + d.database() + " is " + d.phase()).orElse(""));
        }
        if (status.databases().stream().allMatch(d -> status.destination() != null
                && status.destination().rollback(mappingName, d.database()).isPresent())) {
            throw new ActionRefused("the rollback of mapping " + mappingName + " is under way; each database's page "
                    + "shows its step");
        }
        if (!force && !status.rollbackReady()) {
            DatabaseStatus first = status.databases().stream().filter(d -> !d.rollbackReady()).findFirst()
                    .orElse(status.databases().getFirst());
            throw new ActionRefused("mapping " + mappingName + " is not rollback-ready (" + first.database() + ": "
                    + first.readiness().blockingReason() + "): going back now could leave changes behind. Wait for "
                    + "the light, or force it with a second confirmation");
        }
        List<String> databases = status.databases().stream().map(DatabaseStatus::database).toList();
        try {
            records.prepare(mapping.destination());
            if (!freeze.state(mapping, Freeze.Side.DESTINATION).frozen()) {
                Freeze.Frozen frozen = freeze.freeze(mapping, Freeze.Side.DESTINATION, databases, actor);
                records.auditAfterwards(mapping.destination(), actor, "freeze destination", mappingName, null,
                        "for the rollback: roles set NOLOGIN: " + frozen.plan().roles().stream().map(r -> r.name())
                                .toList() + "; sessions ended: " + frozen.sessionsEnded());
            }
            // a stop here leaves the destination frozen and no rollback recorded: asked again, it goes on
            CrashPoints.passed("RollbackFreezeDestination");
        } catch (SQLException e) {
            throw new ActionRefused("not rolled back (nothing changed): the destination could not be read: "
                    + PgErrors.describe(e));
        } catch (FreezeFailed e) {
            throw new ActionRefused("not rolled back: " + e.getMessage());
        }
        for (String database : databases) {
            Drain.FreezePoint point = freezePointOnDestination(mapping, database, actor);
            try {
                records.requestRollback(mapping.destination(), mappingName, database, actor, point.lsn(),
                        point.lsnText());
            } catch (SQLException e) {
                throw new ActionRefused("the destination is frozen, but the rollback of " + database + " could not "
                        + "be recorded: " + PgErrors.describe(e) + "; ask for the rollback again");
            }
        }
        records.auditAfterwards(mapping.destination(), actor, force ? "rollback (forced)" : "rollback", mappingName,
                null, "the destination frozen; rolling " + databases + " back to the source");
        loop.tickNow(mapping);
        return databases.size();
    }

    /** The destination's freeze point once its frozen applications' transactions have ended (a few seconds at most). */
    private Drain.FreezePoint freezePointOnDestination(Mapping mapping, String database, String actor)
            throws ActionRefused {
        Drain.Outcome outcome = drain.check(mapping.destination(), database, actor);
        for (int attempt = 0; outcome.point() == null && attempt < 20; attempt++) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            outcome = drain.check(mapping.destination(), database, actor);
        }
        if (outcome.point() == null) {
            throw new ActionRefused("the destination is frozen, but not quiet yet: " + outcome.refusal()
                    + "; ask for the rollback again once those sessions ended");
        }
        return outcome.point();
    }

    private Mapping mapping(String name) {
        return config.mapping(name).orElseThrow(() -> new UnknownMapping(name));
    }

    private static List<DatabaseStatus> onBothSides(MappingStatus status) throws ActionRefused {
        List<DatabaseStatus> both = status.databases().stream().filter(d -> d.observed().sourceDatabaseExists()
                && d.observed().destinationDatabaseExists()).toList();
        if (both.isEmpty()) {
            throw new ActionRefused("mapping " + status.mapping().name() + " has no database on both sides yet");
        }
        return both;
    }

    private static String describe(FreezeChange change) {
        return change.kind().label() + " " + change.target();
    }
}
