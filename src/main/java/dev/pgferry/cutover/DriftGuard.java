package dev.pgferry.cutover;

import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.LogContext;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.config.Scope;
import dev.pgferry.status.Readiness.Condition;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.schema.FidelityReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Guards a streaming database against schema drift: every {@link #SLOW_TICKS} poll intervals
 * (and every tick while a drift is seen) the source's schema is compared with the destination's
 * from the catalogs. Logical replication carries no DDL, so a column added on the source stops
 * the apply worker the moment a row uses it; caught here, the difference blocks readiness and
 * says what to do before that happens.
 *
 * <p>The comparisons run beside the loop, {@link #CONCURRENT} at a time for the whole process:
 * a tick only reads the last report and asks for a new one when it is due, so hundreds of
 * databases that began streaming together never make one tick compare them all. And a check
 * compares in full only when either side's catalogs were written to since the last comparison
 * (any DDL writes them), or every {@link #FULL_EVERY}: comparing is a complex catalog query.
 */
@Component
public class DriftGuard implements DisposableBean {

    static final int SLOW_TICKS = 12;
    static final int CONCURRENT = 2;
    /** Even when neither side's catalogs were written to, the schemas are compared in full this often. */
    static final Duration FULL_EVERY = Duration.ofMinutes(10);
    static final String ID = "schema-unchanged";

    private final FidelityCheck fidelity;
    private final Duration every;
    private final Clock clock;
    private final ExecutorService comparisons = Executors.newFixedThreadPool(CONCURRENT,
            Thread.ofPlatform().daemon().name("drift-guard-", 0).factory());
    private final Set<DatabaseKey> queued = ConcurrentHashMap.newKeySet();

    public DriftGuard(FidelityCheck fidelity, PgferryConfig config, Clock clock) {
        this.fidelity = fidelity;
        this.every = config.pollInterval().multipliedBy(SLOW_TICKS);
        this.clock = clock;
    }

    /** The schema-unchanged condition of one database, from its last comparison; asks for the next when due. */
    public Condition condition(Mapping mapping, ObservedDatabase o) {
        if (mapping.content() != Mapping.Content.SCHEMA_AND_DATA || !mapping.scope().equals(Scope.ALL)) {
            return new Condition(ID, true, "not checked: the mapping copies " + (mapping.content()
                    == Mapping.Content.DATA_ONLY ? "rows into a schema of its own" : "part of the schema")
                    + ", so the two schemas may differ on purpose");
        }
        if (o.subscription().isEmpty() || o.sourceError() != null || o.destinationError() != null) {
            return new Condition(ID, false, "schema compared once streaming");
        }
        FidelityReport report = fidelity.last(mapping.name(), o.database());
        Instant now = clock.instant();
        if (report == null || !report.identical() || !report.checkedAt().plus(every).isAfter(now)) {
            compareSoon(mapping, o.database());
        }
        if (report == null) {
            return new Condition(ID, false, "first schema comparison queued");
        }
        if (report.error() != null) {
            return new Condition(ID, false, "schema check failed: " + report.error());
        }
        if (report.identical()) {
            return new Condition(ID, true, "source and destination schemas identical (checked "
                    + report.checkedAt() + ", every " + every.toSeconds() + " s)");
        }
        String differences = report.differences().stream().limit(3).map(d -> d.kind() + " " + d.name()
                + " (source: " + (d.source() == null ? "missing" : d.source()) + "; destination: "
                + (d.destination() == null ? "missing" : d.destination()) + ")").collect(Collectors.joining("; "));
        return new Condition(ID, false, "schema drift: " + report.differences().size() + " difference(s): "
                + differences + (report.differences().size() > 3 ? "; ..." : "") + ". Apply the same DDL on the "
                + "destination (a new table: also add it to the publication and ALTER SUBSCRIPTION ... REFRESH "
                + "PUBLICATION); the database's page lists every difference");
    }

    /** Queues a comparison of the database unless one is queued or running already. */
    private void compareSoon(Mapping mapping, String database) {
        DatabaseKey key = DatabaseKey.of(mapping.name(), database);
        if (!queued.add(key)) {
            return;
        }
        try {
            comparisons.execute(() -> {
                try {
                    LogContext.about(mapping.name(), database, () -> fidelity.runIfChanged(mapping, database,
                            FULL_EVERY));
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
    public void destroy() {
        comparisons.shutdownNow();
    }
}
