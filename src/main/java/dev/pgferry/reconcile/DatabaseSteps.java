package dev.pgferry.reconcile;

import dev.pgferry.reports.DatabaseKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * The planned steps of each database, run beside the loop: a tick starts them and waits a
 * moment, but a {@code CREATE DATABASE} or a schema restore that takes longer goes on without
 * holding up the tick, its mapping's pages or the other databases (issue 24: no tick stalls).
 *
 * <p>One run per database at a time, and a few per mapping ({@link #PER_MAPPING}), as the ticks
 * did before. Every run's start and end counts in the database's generation: a tick takes the
 * generation before it looks at a database and starts steps only while it is unchanged
 * ({@link #startIfUnchanged}), so steps are never planned on a look taken while other steps were
 * changing the database. Operators' actions wait for a mapping's runs ({@link MappingTurns}).
 */
@Component
public class DatabaseSteps {

    /** Databases of one mapping whose steps run at once. */
    static final int PER_MAPPING = 4;

    /** A database's steps as a tick sees them: the generation, and the step running now, if any. */
    public record Seen(long generation, Optional<Running> running) {
    }

    /** The step running now, and since when the database's steps run. */
    public record Running(String step, Instant since) {
    }

    /** What a run does: its steps in order, telling which one it is at. */
    @FunctionalInterface
    interface Work {
        void run(AtomicReference<String> step);
    }

    private final Clock clock;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<DatabaseKey, Long> generations = new ConcurrentHashMap<>();
    private final Map<DatabaseKey, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

    private record Run(AtomicReference<String> step, Instant since, CompletableFuture<Void> done,
            AtomicReference<Thread> thread) {
    }

    public DatabaseSteps(Clock clock) {
        this.clock = clock;
    }

    /** The database's generation and running step, read together. */
    public synchronized Seen seen(String mapping, String database) {
        DatabaseKey key = key(mapping, database);
        Run run = runs.get(key);
        return new Seen(generations.getOrDefault(key, 0L), Optional.ofNullable(run)
                .map(r -> new Running(r.step().get(), r.since())));
    }

    /**
     * Starts the database's steps beside the loop when nothing ran there since {@code generation}
     * was taken (no run started or ended), none runs now and the mapping has a free place; empty
     * otherwise: then the next tick looks again and decides.
     */
    synchronized Optional<CompletableFuture<Void>> startIfUnchanged(String mapping, String database,
            long generation, String firstStep, Work work) {
        DatabaseKey key = key(mapping, database);
        if (generations.getOrDefault(key, 0L) != generation || runs.containsKey(key)) {
            return Optional.empty();
        }
        Semaphore places = permits.computeIfAbsent(mapping, m -> new Semaphore(PER_MAPPING));
        if (!places.tryAcquire()) {
            return Optional.empty();
        }
        Run run = new Run(new AtomicReference<>(firstStep), clock.instant(), new CompletableFuture<>(),
                new AtomicReference<>());
        runs.put(key, run);
        generations.merge(key, 1L, Long::sum);
        try {
            threads.execute(() -> {
                run.thread().set(Thread.currentThread());
                try {
                    work.run(run.step());
                } finally {
                    run.thread().set(null);
                    end(key, run, places);
                }
            });
        } catch (RuntimeException e) {
            // stopping: nothing ran
            end(key, run, places);
            throw e;
        }
        return Optional.of(run.done());
    }

    private void end(DatabaseKey key, Run run, Semaphore places) {
        synchronized (this) {
            runs.remove(key, run);
            generations.merge(key, 1L, Long::sum);
        }
        places.release();
        run.done().complete(null);
    }

    /** The runs of one mapping now. */
    List<CompletableFuture<Void>> running(String mapping) {
        return runs.entrySet().stream().filter(e -> e.getKey().mapping().equals(mapping)).map(e -> e.getValue().done())
                .toList();
    }

    /** Waits until none of the mapping's runs is left, at most {@code atMost}; false when some still run. */
    boolean awaitMapping(String mapping, Duration atMost) throws InterruptedException {
        return await(running(mapping), atMost);
    }

    /** Waits until every run has ended, at most {@code atMost}; false when some still run. */
    boolean awaitAll(Duration atMost) throws InterruptedException {
        return await(runs.values().stream().map(Run::done).toList(), atMost);
    }

    /** How many runs there are now. */
    int count() {
        return runs.size();
    }

    private static boolean await(List<CompletableFuture<Void>> done, Duration atMost) throws InterruptedException {
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(atMost.toMillis(),
                    TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            // the runs complete normally; a failure is their own to report
            return true;
        }
    }

    /** Interrupts every run (shutting down after the grace period): each step is redone by the next start. */
    void interruptAll() {
        runs.values().forEach(run -> {
            Thread thread = run.thread().get();
            if (thread != null) {
                thread.interrupt();
            }
        });
    }

    private static DatabaseKey key(String mapping, String database) {
        return DatabaseKey.of(mapping, database);
    }
}
