package dev.pgferry.cutover;

import dev.pgferry.LogContext;
import dev.pgferry.audit.AuditRecord;
import dev.pgferry.audit.Audited;
import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.status.TickEnded;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * Each mapping's audit log as last read (newest first): what the cutover steps record, so that
 * a step shows done only with its record, and a completed mapping's summary says who did what
 * when. Read beside the loop (after a tick, at most every {@link #REREAD}, and again after each
 * audited action), never inside a request: pages answer from memory.
 */
@Component
public class CutoverRecords implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CutoverRecords.class);
    static final Duration REREAD = Duration.ofSeconds(30);
    static final int LIMIT = 500;

    private record Read(Instant at, List<AuditRecord> records) {
    }

    private final ControlRecords records;
    private final Clock clock;
    private final Map<String, Read> last = new ConcurrentHashMap<>();
    private final Set<String> due = ConcurrentHashMap.newKeySet();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService reads = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("cutover-records").factory());

    public CutoverRecords(ControlRecords records, Clock clock) {
        this.records = records;
        this.clock = clock;
    }

    /** The mapping's audit entries, newest first; empty until read. */
    public List<AuditRecord> of(String mapping) {
        Read read = last.get(mapping);
        return read == null ? List.of() : read.records();
    }

    @EventListener
    public void tickEnded(TickEnded ended) {
        Mapping mapping = ended.status().mapping();
        Read read = last.get(mapping.name());
        if (read != null && !due.contains(mapping.name()) && read.at().plus(REREAD).isAfter(clock.instant())) {
            return;
        }
        queue(mapping);
    }

    /** An action was audited: the next tick reads the log again, whatever the time. */
    @EventListener
    public void audited(Audited entry) {
        if (entry.mapping() != null) {
            due.add(entry.mapping());
        }
    }

    private void queue(Mapping mapping) {
        if (!queued.add(mapping.name())) {
            return;
        }
        try {
            reads.execute(() -> {
                try {
                    LogContext.about(mapping.name(), null, () -> {
                        read(mapping);
                        return null;
                    });
                } finally {
                    queued.remove(mapping.name());
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(mapping.name());
        }
    }

    /**
     * A log that cannot be read (the destination unreachable, or pgferry's user without USAGE on
     * schema pgferry: the pre-flight check says so) keeps what was read before and is tried again
     * after {@link #REREAD}, not on every tick.
     */
    private void read(Mapping mapping) {
        due.remove(mapping.name());
        try {
            last.put(mapping.name(), new Read(clock.instant(), records.history(mapping.destination(), mapping.name(),
                    LIMIT)));
        } catch (SQLException | RuntimeException e) {
            last.put(mapping.name(), new Read(clock.instant(), of(mapping.name())));
            log.debug("mapping {}: audit log not read: {}", mapping.name(), e instanceof SQLException sql
                    ? PgErrors.describe(sql) : e.getMessage());
        }
    }

    @Override
    public void destroy() {
        reads.shutdownNow();
    }
}
