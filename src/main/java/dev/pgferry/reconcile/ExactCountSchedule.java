package dev.pgferry.reconcile;

import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.status.Phase;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.monitor.ExactCounter;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;

/**
 * Exact counts of streaming databases on a slow schedule (PGFERRY_EXACT_COUNT_INTERVAL, 0 for
 * on demand only). The first one is due one interval after a database is first seen streaming,
 * so a restart of pgferry does not start a round of full scans.
 */
@Component
public class ExactCountSchedule {

    private static final Set<Phase> COUNTED = Set.of(Phase.STREAMING, Phase.READY);

    private final PgferryConfig config;
    private final ExactCounter counter;
    private final Clock clock;
    private final Map<DatabaseKey, Instant> due = new ConcurrentHashMap<>();

    public ExactCountSchedule(PgferryConfig config, ExactCounter counter, Clock clock) {
        this.config = config;
        this.counter = counter;
        this.clock = clock;
    }

    /**
     * One interval from now, or up to a quarter longer, at random: databases that began streaming
     * together are not all counted (full scans on both servers) in the same hour.
     */
    private Instant next(Instant now) {
        long interval = config.exactCountInterval().toMillis();
        return now.plusMillis(interval + ThreadLocalRandom.current().nextLong(interval / 4 + 1));
    }

    /** Called after every tick: queues the counts that are due. */
    void consider(MappingStatus status) {
        if (config.exactCountInterval().isZero()) {
            return;
        }
        Instant now = clock.instant();
        for (DatabaseStatus database : status.databases()) {
            if (!COUNTED.contains(database.phase())) {
                continue;
            }
            DatabaseKey key = DatabaseKey.of(status.mapping().name(), database.database());
            Instant dueAt = due.computeIfAbsent(key, k -> next(now));
            if (!now.isBefore(dueAt) && counter.request(status.mapping(), database.database(), database.replicatedTables(),
                    "schedule")) {
                due.put(key, next(now));
            }
        }
    }
}
