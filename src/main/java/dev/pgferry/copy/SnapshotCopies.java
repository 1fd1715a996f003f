package dev.pgferry.copy;

import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.LogContext;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ActionException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The snapshot copies (and resumes of interrupted ones) under way in this process, each in its own
 * thread so that the reconcile loop keeps observing (and the pages keep showing progress) while it
 * runs. Kept in memory only: after a restart none runs, and the planner finds the interrupted copy
 * on the servers and in the destination's records.
 */
@Component
public class SnapshotCopies implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SnapshotCopies.class);

    private final SnapshotCopy copy;
    private final CopyResume resume;
    private final SourceLimits limits;
    private final Clock clock;
    private final Map<DatabaseKey, Job> jobs = new ConcurrentHashMap<>();
    private final Map<DatabaseKey, Long> generations = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon()
            .name("snapshot-copy-", 0).factory());

    private final org.springframework.context.ApplicationEventPublisher events;

    /** Published when a copy ends, done or failed, so its mapping is looked at at once. */
    public record Finished(String mapping, String database) {
    }

    public SnapshotCopies(SnapshotCopy copy, CopyResume resume, SourceLimits limits, Clock clock,
            org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.copy = copy;
        this.resume = resume;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * A copy, its progress, how many attempts in a row have failed (for the back-off), and its
     * thread's end, which a cancel waits for.
     */
    private record Job(SnapshotProgress progress, SnapshotCopy.Sessions sessions, int attempt,
            java.util.concurrent.CompletableFuture<Void> ended,
            java.util.concurrent.atomic.AtomicReference<Thread> runner) {
    }

    /**
     * The state of the last copy of the database in this process, running or finished, with its
     * attempt and the {@link #generation} it was read at.
     */
    public record Copy(SnapshotProgress.State state, int attempt, long generation) {
    }

    /**
     * How many times a copy of the database started or ended in this process: a step planned on
     * an older generation (undoing an "interrupted" copy) was planned on a stale picture.
     */
    public long generation(String mapping, String database) {
        return generations.getOrDefault(key(mapping, database), 0L);
    }

    public Optional<Copy> last(String mapping, String database) {
        DatabaseKey key = key(mapping, database);
        long generation = generations.getOrDefault(key, 0L);
        Job job = jobs.get(key);
        return job == null ? Optional.empty() : Optional.of(new Copy(job.progress.state(), job.attempt, generation));
    }

    /** What a job does with its progress and sessions. */
    private interface Work {
        void run(SnapshotProgress progress, SnapshotCopy.Sessions sessions) throws ActionException;
    }

    /** Starts the copy unless one runs for the database; true when started. */
    public boolean start(Mapping mapping, String database, List<String> filter) {
        return launch(mapping, database, "snapshot copy",
                (progress, sessions) -> copy.run(mapping, database, filter, progress, sessions));
    }

    /**
     * Resumes an interrupted copy (see {@link CopyResume}) unless a copy runs for the database;
     * true when started. {@code tables}: every table the publication is to have.
     */
    public boolean resume(Mapping mapping, String database, List<dev.pgferry.replication.PublishedTable> tables,
            List<String> filter) {
        return launch(mapping, database, "resumed copy",
                (progress, sessions) -> resume.run(mapping, database, tables, filter, progress,
                        sessions));
    }

    private boolean launch(Mapping mapping, String database, String what, Work work) {
        DatabaseKey key = key(mapping.name(), database);
        Job previous = jobs.get(key);
        if (previous != null && previous.progress.state().running()) {
            return false;
        }
        int attempt = previous == null || previous.progress.state().stage() != SnapshotProgress.Stage.FAILED ? 1
                : previous.attempt + 1;
        Job job = new Job(new SnapshotProgress(clock.instant(), limits.workers(mapping.source().name())),
                new SnapshotCopy.Sessions(), attempt, new java.util.concurrent.CompletableFuture<>(),
                new java.util.concurrent.atomic.AtomicReference<>());
        jobs.put(key, job);
        generations.merge(key, 1L, Long::sum);
        threads.submit(() -> {
            try {
                copy(mapping, database, what, work, job);
            } finally {
                generations.merge(key, 1L, Long::sum);
                job.ended().complete(null);
            }
        });
        return true;
    }

    private void copy(Mapping mapping, String database, String what, Work work, Job job) {
        MDC.put(LogContext.MAPPING, mapping.name());
        MDC.put(LogContext.DATABASE, database);
        job.runner().set(Thread.currentThread());
        Bulkhead turn = limits.copyPermits(mapping.source().name());
        try {
            turn.acquirePermission();
        } catch (BulkheadFullException e) {
            // interrupted (pgferry stops) or waited longer than the bulkhead's max-wait-duration
            job.progress.finished(clock.instant(), "no turn to copy from " + mapping.source().name() + ": "
                    + e.getMessage() + " (starts over)");
            return;
        }
        try {
            job.progress.stage(SnapshotProgress.Stage.STARTING);
            work.run(job.progress, job.sessions);
            job.progress.finished(clock.instant(), null);
            var state = job.progress.state();
            log.info("mapping {} database {}: {} done in {} s, {} bytes of {} tables; seconds per stage: {}",
                    mapping.name(), database, what, java.time.Duration.between(state.startedAt(),
                            state.finishedAt()).toMillis() / 1000.0, state.bytesDone(), state.tables().size(),
                    job.progress.profile());
            if (!state.tables().isEmpty()) {
                log.info("mapping {} database {}: per table (seconds from the start): {}", mapping.name(), database,
                        job.progress.tableProfile());
            }
        } catch (ActionException e) {
            job.progress.finished(clock.instant(), e.getMessage());
            if (e.isTransient()) {
                log.warn("mapping {} database {}: {} (tried again: resumed where the records allow, else from the "
                        + "start)", mapping.name(), database, e.getMessage());
            } else {
                log.error("mapping {} database {}: {}", mapping.name(), database, e.getMessage());
            }
        } catch (RuntimeException e) {
            job.progress.finished(clock.instant(), String.valueOf(e.getMessage()));
            log.error("mapping {} database {}: {} failed", mapping.name(), database, what, e);
        } finally {
            turn.onComplete();
        }
        if (!job.sessions.cancelled()) {
            events.publishEvent(new Finished(mapping.name(), database));
        }
    }

    /**
     * Stops the database's copy, if one runs, and waits until its thread has ended (its sessions
     * closed, so the servers roll back what was under way and it loads no further row). True when
     * none runs any more; false when it did not end within the wait.
     */
    public boolean cancel(String mapping, String database, java.time.Duration wait) {
        Job job = jobs.get(key(mapping, database));
        if (job == null) {
            return true;
        }
        job.sessions.cancel();
        Thread runner = job.runner().get();
        if (runner != null && job.progress.state().stage() == SnapshotProgress.Stage.QUEUED) {
            // still waiting for its turn to read the source: wake it, it then gives up
            runner.interrupt();
        }
        try {
            job.ended().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops every running copy of a mapping (its lease was lost); returns how many ran. */
    public int cancelMapping(String mapping) {
        int running = 0;
        for (Map.Entry<DatabaseKey, Job> entry : jobs.entrySet()) {
            if (entry.getKey().mapping().equals(mapping) && entry.getValue().progress.state().running()) {
                entry.getValue().sessions.cancel();
                running++;
            }
        }
        return running;
    }

    /**
     * Stops every copy (shutdown): their sessions end, the servers roll back what was under way,
     * and the next start resumes those copies (or begins them again when they finished no table).
     * Returns how many ran.
     */
    public int cancelAll() {
        int running = 0;
        for (Job job : jobs.values()) {
            if (job.progress.state().running()) {
                running++;
            }
            job.sessions.cancel();
        }
        threads.shutdownNow();
        return running;
    }

    @Override
    public void destroy() {
        cancelAll();
    }

    private static DatabaseKey key(String mapping, String database) {
        return DatabaseKey.of(mapping, database);
    }
}
