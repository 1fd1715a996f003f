package dev.pgferry.cutover;

import dev.pgferry.LogContext;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.TickEnded;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * While a database is turned around (SWITCHED) the applications take sequence values on the
 * destination; logical replication does not carry them back. Every {@link #SLOW_TICKS} poll
 * intervals the source's sequences are set from the destination's (never moved back), beside the
 * loop and only by the holder of the mapping's lease, so that going back never hands out a value
 * already used.
 */
@Component
public class SequencesKeptBack implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SequencesKeptBack.class);
    static final int SLOW_TICKS = 12;

    private final SequenceSync sequences;
    private final Clock clock;
    private final Duration every;
    private final Set<DatabaseKey> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService runs = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("sequences-back").factory());

    public SequencesKeptBack(SequenceSync sequences, PgferryConfig config, Clock clock) {
        this.sequences = sequences;
        this.clock = clock;
        this.every = config.pollInterval().multipliedBy(SLOW_TICKS);
    }

    @EventListener
    public void tickEnded(TickEnded ended) {
        MappingStatus status = ended.status();
        if (status.lease() == null || !status.lease().held()) {
            return;
        }
        for (DatabaseStatus database : status.databases()) {
            if (database.phase() == Phase.SWITCHED && database.observed().reverse()
                    .flatMap(r -> r.subscription()).isPresent()) {
                keepSoon(status, database.database());
            }
        }
    }

    private void keepSoon(MappingStatus status, String database) {
        DatabaseKey key = DatabaseKey.of(status.mapping().name(), database);
        // when they were last set is the kept report's time (SequenceSync keeps it)
        SequenceSync.SequenceReport last = sequences.lastBack(key.mapping(), database);
        if (last != null && last.at().plus(every).isAfter(clock.instant()) || !queued.add(key)) {
            return;
        }
        try {
            runs.execute(() -> {
                try {
                    LogContext.about(key.mapping(), database, () -> {
                        var report = sequences.runBack(status.mapping(), database, "pgferry");
                        if (report.error() != null) {
                            log.warn("mapping {} database {}: the source's sequences could not be set from the "
                                    + "destination: {}", key.mapping(), database, report.error());
                        } else if (report.changed() > 0) {
                            log.info("mapping {} database {}: {} sequence(s) of the source set from the destination",
                                    key.mapping(), database, report.changed());
                        }
                        return null;
                    });
                } finally {
                    queued.remove(key);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
            queued.remove(key);
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        runs.shutdownNow();
        runs.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
