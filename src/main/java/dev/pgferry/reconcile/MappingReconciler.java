package dev.pgferry.reconcile;

import dev.pgferry.schemachange.SchemaChanges;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Action;
import dev.pgferry.status.ActionFailure;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Lease;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.status.TickEnded;
import dev.pgferry.status.StatusMetrics;
import dev.pgferry.LogContext;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.copy.SnapshotProgress;
import dev.pgferry.copy.SnapshotCopies;
import dev.pgferry.status.Readiness;
import dev.pgferry.cutover.RollbackReadiness;
import dev.pgferry.cutover.ReadinessTracker;
import dev.pgferry.faults.TickPauses;
import dev.pgferry.monitor.DatabaseObserver;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.pg.PgDumpRunner;
import dev.pgferry.preflight.Check;
import dev.pgferry.preflight.CheckInput;
import dev.pgferry.preflight.PreflightChecks;
import dev.pgferry.replication.ReachabilityProbe;
import dev.pgferry.replication.SourceReach;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * One tick of one mapping: observe both servers, plan every database, start the steps in run
 * mode (they run beside the loop, {@link DatabaseSteps}), publish the result. Databases are looked
 * at in parallel, a few at a time; one failing database never stops the others.
 */
@Component
public class MappingReconciler {

    private static final Logger log = LoggerFactory.getLogger(MappingReconciler.class);

    private final PgferryConfig config;
    private final PgDumpRunner pgDump;
    private final DatabaseObserver observer;
    private final ReadinessTracker readiness;
    private final DatabaseStepRun stepRun;
    private final StatusBoard board;
    private final Clock clock;
    private final ExactCountSchedule exactCounts;
    private final StatusMetrics metrics;
    private final SnapshotCopies copies;
    private final DatabaseSteps steps;
    private final DatabaseLooks looks;
    private final ApplicationEventPublisher events;
    private final MappingLeases leases;
    private final MappingTurns turns;
    private final ReachabilityProbe reachability;
    private final SchemaChanges schemaChanges;
    /**
     * How long a tick waits for the steps it started beside the loop ({@link DatabaseSteps}): those
     * done by then are looked at again in the same tick; longer ones ({@code CREATE DATABASE} on a
     * busy server, a large schema) go on without holding up the mapping's pages and operators.
     */
    static final Duration ACT_WAIT = Duration.ofSeconds(1);
    /**
     * A tick looks at databases for this long at most (a first look at hundreds of databases
     * opens hundreds of sessions; a watched mapping may hold hundreds): the databases it did not
     * reach keep their last status, are not acted on, and are looked at first by the next tick,
     * which comes at once.
     */
    static final Duration OBSERVE_BUDGET = Duration.ofMillis(1500);
    private final Set<String> cutShort = ConcurrentHashMap.newKeySet();

    public MappingReconciler(PgferryConfig config, PgDumpRunner pgDump, DatabaseObserver observer,
            ReadinessTracker readiness, DatabaseStepRun stepRun, StatusBoard board, Clock clock,
            ExactCountSchedule exactCounts, StatusMetrics metrics, SnapshotCopies copies, MappingLeases leases,
            MappingTurns turns, ReachabilityProbe reachability, DatabaseSteps steps, ApplicationEventPublisher events,
            SchemaChanges schemaChanges) {
        this.schemaChanges = schemaChanges;
        this.steps = steps;
        this.events = events;
        this.looks = new DatabaseLooks(clock);
        this.reachability = reachability;
        this.leases = leases;
        this.turns = turns;
        this.copies = copies;
        this.exactCounts = exactCounts;
        this.metrics = metrics;
        this.config = config;
        this.pgDump = pgDump;
        this.observer = observer;
        this.readiness = readiness;
        this.stepRun = stepRun;
        this.board = board;
        this.clock = clock;
    }

    /**
     * Runs one tick; ticks of the same mapping never overlap, nor do they overlap an operator's
     * action on it ({@link MappingTurns}). Only the holder of the mapping's lease acts.
     */
    public MappingStatus tick(Mapping mapping) {
        return tick(mapping, false);
    }

    /**
     * A tick right after an operator's action changed the mapping: every database is looked at
     * anew, none of the looks an earlier tick left running is taken (see {@link DatabaseLooks}).
     */
    public MappingStatus tickAfterAction(Mapping mapping) {
        return tick(mapping, true);
    }

    private MappingStatus tick(Mapping mapping, boolean fresh) {
        ReentrantLock lock = turns.lock(mapping);
        lock.lock();
        Timer.Sample timing = Timer.start();
        Instant started = clock.instant();
        Instant lookUntil = started.plus(OBSERVE_BUDGET);
        cutShort.remove(mapping.name());
        try {
            TickTimes times = new TickTimes(clock, started);
            Lease lease = leases.acquire(mapping);
            ObservedInstance source = observer.observeInstance(mapping.source(), false);
            ObservedInstance destination = observer.observeInstance(mapping.destination(), true);
            List<String> databases = databases(mapping, source);
            SourceReach reach = reach(mapping, source, destination);
            times.mark("lease, instances and reach");
            // first what every database looks like, published at once so that pages show it while
            // the steps of a first tick (schema copies of many databases) run
            Map<String, Long> looked = new ConcurrentHashMap<>();
            // a look that outlasts the tick is good for the next one, which comes within the mapping's cadence
            Duration lateLookKept = cadence(mapping, destination).plus(config.pollInterval());
            List<DatabaseStatus> observed = look(mapping, databases, lookUntil, lateLookKept, fresh, looked,
                    db -> LogContext.about(mapping.name(), db, () -> evaluateOrExplain(mapping, db, source,
                            destination, reach)));
            times.mark("looking at " + looked.size() + " of " + databases.size() + " database(s)");
            if (behind(mapping, destination, observed, looked.keySet(), started)) {
                cutShort.add(mapping.name());
            }
            boolean acting = lease.held();
            List<DatabaseStatus> statuses = observed;
            if (acting && observed.stream().anyMatch(d -> looked.containsKey(d.database())
                    && willAct(mapping, d, destination))) {
                board.preview(new MappingStatus(mapping, source, destination, observed, clock.instant(), lease));
                statuses = act(mapping, source, destination, observed, looked, reach, times);
            }
            MappingStatus status = new MappingStatus(mapping, source, destination, statuses, clock.instant(),
                    leases.last(mapping));
            board.publish(status);
            times.mark("publishing");
            exactCounts.consider(status);
            events.publishEvent(new TickEnded(status));
            times.mark("scheduling exact counts and outlooks");
            times.logIfSlow(mapping.name());
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return board.get(mapping.name()).orElseThrow();
        } finally {
            timing.stop(metrics.tickTimer(mapping.name()));
            lock.unlock();
        }
    }

    /**
     * Starts the planned steps of the databases looked at now, beside the loop, and waits for them
     * {@link #ACT_WAIT} at most: those done by then are looked at again (with one look at the
     * destination instance for all of them); those still running go on and show their step, and
     * their end ticks the mapping again. A database whose steps could not start (its look is
     * stale: steps started or ended since; or the mapping's places are taken) waits for the next
     * tick, which comes at once when no run of the mapping will call for it.
     */
    private List<DatabaseStatus> act(Mapping mapping, ObservedInstance source, ObservedInstance destination,
            List<DatabaseStatus> observed, Map<String, Long> looked, SourceReach reach, TickTimes times)
            throws InterruptedException {
        Map<String, CompletableFuture<Void>> started = new LinkedHashMap<>();
        boolean left = false;
        for (DatabaseStatus status : observed) {
            String db = status.database();
            if (!looked.containsKey(db) || !willAct(mapping, status, destination)) {
                continue;
            }
            List<Action> actions = status.plan().actions();
            Optional<CompletableFuture<Void>> run = steps.startIfUnchanged(mapping.name(), db, looked.get(db),
                    actions.getFirst().describe(), step -> LogContext.about(mapping.name(), db, () -> {
                        stepRun.run(mapping, db, actions, step);
                        return null;
                    }));
            run.ifPresent(done -> started.put(db, done));
            left |= run.isEmpty();
        }
        Instant waitUntil = clock.instant().plus(ACT_WAIT);
        Set<String> acted = new HashSet<>();
        for (Map.Entry<String, CompletableFuture<Void>> run : started.entrySet()) {
            try {
                run.getValue().get(Math.max(0, Duration.between(clock.instant(), waitUntil).toMillis()),
                        TimeUnit.MILLISECONDS);
                acted.add(run.getKey());
            } catch (TimeoutException e) {
                // runs on beside the loop; its end calls for a tick
                run.getValue().whenComplete((v, failure) -> events.publishEvent(new TickWanted(mapping.name())));
            } catch (ExecutionException e) {
                // never: a run's end completes it normally, whatever its steps did
                acted.add(run.getKey());
            }
        }
        if (left && steps.running(mapping.name()).isEmpty()) {
            cutShort.add(mapping.name());
        }
        times.mark("starting the steps of " + started.size() + " database(s) and waiting for them");
        List<DatabaseStatus> shown = observed.stream().map(d -> started.containsKey(d.database())
                && !acted.contains(d.database()) ? runningNow(mapping, d) : d).toList();
        List<DatabaseStatus> after = afterActing(mapping, source, destination, shown, acted, reach);
        times.mark("looking again at " + acted.size() + " whose steps ended");
        return after;
    }

    /**
     * A database whose steps run beside the loop: its status as last seen, saying which step runs
     * and since when; it is looked at again when they end.
     */
    private DatabaseStatus runningNow(Mapping mapping, DatabaseStatus last) {
        Optional<DatabaseSteps.Running> running = steps.seen(mapping.name(), last.database()).running();
        if (running.isEmpty()) {
            return last;
        }
        long seconds = Duration.between(running.get().since(), clock.instant()).toSeconds();
        Plan plan = last.plan();
        return new DatabaseStatus(last.observed(), last.checks(), last.readiness(), new Plan(plan.phase(),
                "running now: " + running.get().step() + " (steps started " + seconds + " s ago; looked at again "
                        + "when they end)", plan.actions(), plan.blockedBy()), last.lastFailure());
    }

    /** Steps that went on beside the loop after their tick ended: their mapping should tick now. */
    public record TickWanted(String mapping) {
    }

    /**
     * Whether the destination server reaches the source where subscriptions connect: probed while
     * some database of the mapping has no subscription yet (or none was looked at), when pgferry
     * reaches both servers.
     */
    private SourceReach reach(Mapping mapping, ObservedInstance source, ObservedInstance destination) {
        if (!source.reachable() || !destination.reachable()) {
            return SourceReach.unknown("a server is unreachable");
        }
        boolean needed = board.get(mapping.name()).map(last -> last.databases().isEmpty() || last.databases()
                .stream().anyMatch(d -> d.observed().subscription().isEmpty())).orElse(true);
        return needed ? reachability.reach(mapping) : SourceReach.unknown("every database has its subscription");
    }

    /**
     * Looks at the databases until {@code until}, those seen longest ago (or never) first; a
     * database not reached in time keeps its last status (shown with its age, never acted on) or,
     * never seen, is shown as not looked at yet; a look that takes longer goes on and the next tick
     * takes it ({@link DatabaseLooks}). A database whose steps run beside the loop is not looked
     * at: it shows its last status and the step running. {@code looked} learns which were looked
     * at now, with the generation of their steps before the look. Returns the statuses in the
     * databases' order.
     */
    private List<DatabaseStatus> look(Mapping mapping, List<String> databases, Instant until,
            Duration lateLookKept, boolean fresh, Map<String, Long> looked, Function<String, DatabaseStatus> evaluate)
            throws InterruptedException {
        Map<String, DatabaseStatus> last = new HashMap<>();
        board.get(mapping.name()).ifPresent(s -> s.databases().forEach(d -> last.put(d.database(), d)));
        // a database whose steps run is not looked at: they change it now, a look would be stale when acted on
        Set<String> running = databases.stream().filter(db -> steps.seen(mapping.name(), db).running().isPresent())
                .collect(java.util.stream.Collectors.toSet());
        List<String> order = databases.stream().filter(db -> !running.contains(db))
                .sorted(Comparator.comparing((String db) -> !last.containsKey(db)
                        || last.get(db).plan().phase() == Phase.LOOKING ? Instant.MIN
                        : last.get(db).observed().observedAt())).toList();
        Map<String, DatabaseLooks.Looked> results = looks.look(mapping.name(), order, until, lateLookKept,
                db -> steps.seen(mapping.name(), db).generation(), evaluate, fresh);
        results.forEach((db, result) -> looked.put(db, result.generation()));
        return databases.stream().map(db -> results.containsKey(db) ? results.get(db).status()
                : !last.containsKey(db) ? notLookedAtYet(db)
                : running.contains(db) ? runningNow(mapping, last.get(db))
                : last.get(db)).toList();
    }

    /**
     * Whether databases this tick did not reach were last looked at longer ago than the mapping's
     * cadence (the poll interval, or a resting plan-mode mapping's longer one): then the mapping
     * ticks again at once. A round over hundreds of databases thus takes a few short ticks and
     * ends (those looked at early in the round are younger than the cadence when it ends), rather
     * than one long tick, or ticks that never rest.
     */
    private boolean behind(Mapping mapping, ObservedInstance destination, List<DatabaseStatus> statuses,
            Set<String> looked, Instant started) {
        Instant stale = started.minus(cadence(mapping, destination));
        // steps beside the loop and looks left running call for a tick when they end
        return statuses.stream().anyMatch(d -> !looked.contains(d.database())
                && steps.seen(mapping.name(), d.database()).running().isEmpty()
                && !looks.going(mapping.name(), d.database())
                && (d.phase() == Phase.LOOKING || d.observed().observedAt().isBefore(stale)));
    }

    /** How often the mapping's databases are looked at: the poll interval, or a resting plan-mode mapping's. */
    private Duration cadence(Mapping mapping, ObservedInstance destination) {
        return config.pollInterval().multipliedBy(MappingStatus.effectiveMode(mapping, destination) == Mode.PLAN
                ? ReconcileLoop.PLAN_MODE_EVERY : 1);
    }

    private DatabaseStatus notLookedAtYet(String database) {
        Plan plan = new Plan(Phase.LOOKING, "not looked at yet since pgferry started: it is looking at the mapping's "
                + "databases a few at a time, this one within seconds", List.of());
        return new DatabaseStatus(ObservedDatabase.unobserved(database, clock.instant()), List.of(),
                Readiness.notReady("not looked at yet"), plan, Optional.empty());
    }

    /** Whether the mapping's last tick left steps for lack of time: it should tick again at once. */
    public boolean cutShort(Mapping mapping) {
        return cutShort.contains(mapping.name());
    }

    private List<String> databases(Mapping mapping, ObservedInstance source) {
        if (!mapping.databases().isEmpty()) {
            return mapping.databases();
        }
        if (!source.reachable()) {
            // keep showing what was known before the source went away
            return board.get(mapping.name()).map(s -> s.databases().stream().map(DatabaseStatus::database).toList())
                    .orElse(List.of());
        }
        // the maintenance databases hold pgferry's control schema and its freeze ledger: never moved unless listed
        return source.databases().keySet().stream()
                .filter(db -> !db.equals(mapping.source().maintenanceDatabase())
                        && !db.equals(mapping.destination().maintenanceDatabase()))
                .sorted().toList();
    }

    /**
     * {@link #evaluate}, or, when looking at the database failed in a way no check foresaw (a
     * password command that failed, a bug), the database shown FAILED with the reason: the others
     * go on.
     */
    private DatabaseStatus evaluateOrExplain(Mapping mapping, String database, ObservedInstance source,
            ObservedInstance destination, SourceReach reach) {
        try {
            return evaluate(mapping, database, source, destination, reach);
        } catch (RuntimeException e) {
            log.error("mapping {} database {}: could not look at it: {}", mapping.name(), database, e.toString(), e);
            return unexplained(database, "could not look at " + database + ": " + e);
        }
    }

    private DatabaseStatus unexplained(String database, String why) {
        Plan plan = new Plan(Phase.FAILED, "[internal] " + why + " (pgferry's log has the details; it tries again "
                + "at the next tick)", List.of());
        return new DatabaseStatus(ObservedDatabase.unobserved(database, clock.instant()), List.of(),
                Readiness.notReady(why), plan, Optional.empty());
    }

    private static boolean willAct(Mapping mapping, DatabaseStatus status, ObservedInstance destination) {
        return MappingStatus.effectiveMode(mapping, destination) == Mode.RUN && status.plan().executable()
                && !status.plan().actions().isEmpty();
    }

    /**
     * The statuses to show after acting: a database whose steps ended is looked at again (what was
     * seen before is stale), with one look at the destination server for all of them, for
     * {@link #ACT_WAIT} at most (a look still running then is taken by the next tick).
     */
    private List<DatabaseStatus> afterActing(Mapping mapping, ObservedInstance source, ObservedInstance destination,
            List<DatabaseStatus> statuses, Set<String> acted, SourceReach reach) throws InterruptedException {
        if (acted.isEmpty()) {
            return statuses;
        }
        ObservedInstance now = observer.observeInstance(mapping.destination(), true);
        ObservedInstance destinationNow = now.reachable() ? now : destination;
        List<String> again = statuses.stream().map(DatabaseStatus::database).filter(acted::contains).toList();
        Map<String, DatabaseLooks.Looked> results = looks.look(mapping.name(), again, clock.instant().plus(ACT_WAIT),
                cadence(mapping, destinationNow).plus(config.pollInterval()),
                db -> steps.seen(mapping.name(), db).generation(),
                db -> LogContext.about(mapping.name(), db, () -> evaluateOrExplain(mapping, db, source,
                        destinationNow, reach)));
        return statuses.stream().map(d -> results.containsKey(d.database()) ? results.get(d.database()).status() : d)
                .toList();
    }

    private DatabaseStatus evaluate(Mapping mapping, String database, ObservedInstance source,
            ObservedInstance destination, SourceReach reach) {
        // the copy first, the catalogs after: a copy that ends in between has subscribed by the time they are read
        Optional<SnapshotCopies.Copy> copy = copies.last(mapping.name(), database);
        ObservedDatabase observed = observer.observeDatabase(mapping, database, source, destination);
        TickPauses.reached("observed", mapping.name(), database);
        List<Check> checks = PreflightChecks.evaluate(new CheckInput(mapping, observed, source, destination,
                pgDump.pgDumpMajor(), claimedBy(mapping, database), reach,
                mapping.allowReverse() ? reachability.reverseReach(mapping) : null));
        // turned around: the light says whether going back would lose nothing
        Readiness ready = observed.reverse().isPresent() ? RollbackReadiness.evaluate(observed, config.ready())
                : readiness.evaluate(mapping, observed);
        Optional<ActionFailure> failure = stepRun.lastFailure(mapping.name(), database)
                .or(() -> copy.filter(c -> c.state().stage() == SnapshotProgress.Stage.FAILED)
                        .map(c -> new ActionFailure("snapshot copy", c.state().error(), c.attempt(),
                                c.state().finishedAt())));
        Plan plan = Planner.plan(new PlanInput(mapping, MappingStatus.effectiveMode(mapping, destination), observed, source,
                destination, checks, ready, failure, clock.instant(), copy.map(SnapshotCopies.Copy::state),
                copy.map(SnapshotCopies.Copy::generation).orElse(0L), schemaChanges.outlook(mapping, observed)));
        return new DatabaseStatus(observed, checks, ready, plan, failure);
    }

    /**
     * Another mapping that writes, or may write, the same destination database. One already
     * writing it (its publication or subscription exists) keeps it; otherwise the one whose name
     * sorts first does. A mapping that discovers its databases and has not been observed yet may
     * claim any database, so the others wait for its first tick rather than race it.
     */
    private String claimedBy(Mapping mapping, String database) {
        for (Mapping other : config.mappings()) {
            if (other.name().equals(mapping.name())
                    || !other.destination().name().equals(mapping.destination().name())) {
                continue;
            }
            MappingStatus status = board.get(other.name()).orElseThrow();
            Optional<DatabaseStatus> theirs = status.database(database);
            boolean writing = theirs.map(d -> d.observed().publicationExists() || d.observed().subscription()
                    .isPresent()).orElse(false);
            if (writing) {
                return other.name();
            }
            if (other.name().compareTo(mapping.name()) > 0) {
                continue;
            }
            if (other.databases().contains(database) || theirs.isPresent()) {
                return other.name();
            }
            if (other.databases().isEmpty() && status.observedAt() == null) {
                return other.name() + " (not observed yet: it may claim this database; waiting for its first look)";
            }
        }
        return null;
    }
}
