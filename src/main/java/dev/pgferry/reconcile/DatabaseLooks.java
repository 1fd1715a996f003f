package dev.pgferry.reconcile;

import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.status.DatabaseStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A tick's looks at its databases, a few of a mapping at a time ({@link #PER_MAPPING}), for a
 * bounded time. A look still running when the time is up is not waited for: it goes on beside
 * the loop and the next tick takes its result, if it is younger than {@code maxAge}; a first
 * look at a database (new sessions, its facts) can take seconds on a busy server, and waiting
 * for it held up the whole tick (issue 24: no tick stalls).
 *
 * <p>Each result carries the generation of the database's steps taken right before its look,
 * so steps are never started on a look taken while steps were changing the database
 * ({@link DatabaseSteps#startIfUnchanged}).
 */
final class DatabaseLooks {

    /** Databases of one mapping looked at at once. */
    static final int PER_MAPPING = 4;

    /** One look: the database's status, and the generation of its steps before the look. */
    record Looked(DatabaseStatus status, long generation) {
    }

    private final Clock clock;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Semaphore> places = new ConcurrentHashMap<>();
    /** Looks that outlasted their tick: key mapping and database. A null result: the look never began. */
    private final Map<DatabaseKey, CompletableFuture<Looked>> going = new ConcurrentHashMap<>();

    DatabaseLooks(Clock clock) {
        this.clock = clock;
    }

    /**
     * Looks at the databases in their order until {@code until}; takes the results of earlier
     * looks that ended since (younger than {@code maxAge}) instead of looking again, and leaves
     * alone a database whose earlier look still runs. Returns the databases looked at, in order.
     *
     * <p>A look left running does not call for a tick when it ends: its result waits for the
     * mapping's next tick. (Ticking at once made a chain: that tick looked at every database
     * again, one of them ran late again, and the mapping never rested.)
     */
    Map<String, Looked> look(String mapping, List<String> databases, Instant until, Duration maxAge,
            ToLongFunction<String> generation, Function<String, DatabaseStatus> evaluate)
            throws InterruptedException {
        return look(mapping, databases, until, maxAge, generation, evaluate, false);
    }

    /**
     * {@code fresh}: after an operator's action changed what the databases look like (a
     * completion recorded, a copy stopped), no earlier look is taken, finished or running: each
     * may have begun before the change (one held up by a lock the change released, say), and the
     * answer to the action would show the state before it. Every database is looked at anew.
     */
    Map<String, Looked> look(String mapping, List<String> databases, Instant until, Duration maxAge,
            ToLongFunction<String> generation, Function<String, DatabaseStatus> evaluate, boolean fresh)
            throws InterruptedException {
        Semaphore mappingPlaces = places.computeIfAbsent(mapping, m -> new Semaphore(PER_MAPPING, true));
        Map<String, CompletableFuture<Looked>> looks = new LinkedHashMap<>();
        // the looks that got a place: only those can still be running when the time is up
        Set<String> began = ConcurrentHashMap.newKeySet();
        for (String db : databases) {
            CompletableFuture<Looked> earlier = going.get(key(mapping, db));
            if (!fresh && earlier != null && (!earlier.isDone() || usable(earlier, maxAge))) {
                looks.put(db, earlier);
                began.add(db);
                continue;
            }
            going.remove(key(mapping, db));
            // fair places: the databases start roughly in their order (those seen longest ago first;
            // the threads that wait for a place may start in another order)
            looks.put(db, CompletableFuture.supplyAsync(() -> lookIfInTime(mappingPlaces, until, db, generation,
                    evaluate, began), threads));
        }
        try {
            CompletableFuture.allOf(looks.values().toArray(CompletableFuture[]::new))
                    .get(Math.max(0, Duration.between(clock.instant(), until).toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the looks still running are taken by the next tick
        } catch (ExecutionException e) {
            // an Error (out of memory) in a look: the evaluations catch every exception
            throw new IllegalStateException("a look at a database failed", e.getCause());
        }
        Map<String, Looked> looked = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<Looked>> look : looks.entrySet()) {
            DatabaseKey key = key(mapping, look.getKey());
            if (!look.getValue().isDone()) {
                if (began.contains(look.getKey())) {
                    going.put(key, look.getValue());
                }
                // one still waiting for a place gives up now, without looking
                continue;
            }
            going.remove(key, look.getValue());
            Looked result = look.getValue().getNow(null);
            if (result != null) {
                looked.put(look.getKey(), result);
            }
        }
        return looked;
    }

    /** Whether a look of the mapping's database still runs (begun by an earlier tick). */
    boolean going(String mapping, String database) {
        CompletableFuture<Looked> look = going.get(key(mapping, database));
        return look != null && !look.isDone();
    }

    private boolean usable(CompletableFuture<Looked> look, Duration maxAge) {
        Looked result = look.getNow(null);
        return result != null && result.status().observed().observedAt().plus(maxAge).isAfter(clock.instant());
    }

    private Looked lookIfInTime(Semaphore mappingPlaces, Instant until, String db, ToLongFunction<String> generation,
            Function<String, DatabaseStatus> evaluate, Set<String> began) {
        try {
            long wait = Duration.between(clock.instant(), until).toMillis();
            if (wait <= 0 || !mappingPlaces.tryAcquire(wait, TimeUnit.MILLISECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            began.add(db);
            if (clock.instant().isAfter(until)) {
                return null;
            }
            // the generation before the look: steps start on it only when none started or ended since
            long before = generation.applyAsLong(db);
            return new Looked(evaluate.apply(db), before);
        } finally {
            mappingPlaces.release();
        }
    }

    private static DatabaseKey key(String mapping, String database) {
        return DatabaseKey.of(mapping, database);
    }
}
