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
import dev.pgferry.config.Mapping.SchemaChangePolicy;
import dev.pgferry.schemachange.ChangeReport;
import dev.pgferry.schemachange.SchemaChange;
import dev.pgferry.schemachange.SchemaChanges;
import java.util.ArrayList;
import java.util.List;
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
 * While the apply worker is not running (a column the destination lacks stops it) the cheap
 * check runs every tick. What differs is classified into schema changes
 * ({@link SchemaChanges}); the condition says which pgferry carries over, which wait for
 * confirmation and which are manual, and stays unmet for {@code ready.stable-for} after a change
 * was applied.
 */
@Component
public class DriftGuard implements DisposableBean {

    static final int SLOW_TICKS = 12;
    static final int CONCURRENT = 2;
    /** Even when neither side's catalogs were written to, the schemas are compared in full this often. */
    static final Duration FULL_EVERY = Duration.ofMinutes(10);
    static final String ID = "schema-unchanged";

    private final FidelityCheck fidelity;
    private final SchemaChanges changes;
    private final Duration every;
    private final Duration stableFor;
    private final Clock clock;
    private final ExecutorService comparisons = Executors.newFixedThreadPool(CONCURRENT,
            Thread.ofPlatform().daemon().name("drift-guard-", 0).factory());
    private final Set<DatabaseKey> queued = ConcurrentHashMap.newKeySet();

    public DriftGuard(FidelityCheck fidelity, SchemaChanges changes, PgferryConfig config, Clock clock) {
        this.fidelity = fidelity;
        this.changes = changes;
        this.stableFor = config.ready().stableFor();
        this.every = config.pollInterval().multipliedBy(SLOW_TICKS);
        this.clock = clock;
    }

    /** The schema-unchanged condition of one database, from its last comparison; asks for the next when due. */
    public Condition condition(Mapping mapping, ObservedDatabase o) {
        if (!SchemaChanges.carriedOver(mapping)) {
            return new Condition(ID, true, "not checked: the mapping copies " + (mapping.content()
                    == Mapping.Content.DATA_ONLY ? "rows into a schema of its own" : "part of the schema")
                    + ", so the two schemas may differ on purpose");
        }
        if (o.subscription().isEmpty() || o.sourceError() != null || o.destinationError() != null) {
            return new Condition(ID, false, "schema compared once streaming");
        }
        FidelityReport report = fidelity.last(mapping.name(), o.database());
        Instant now = clock.instant();
        // an apply worker that is not running may be stopped by a column the destination lacks: look now
        boolean stalled = !o.subscription().get().applyWorkerRunning();
        if (report == null || !report.identical() || stalled || !report.checkedAt().plus(every).isAfter(now)) {
            compareSoon(mapping, o.database());
        }
        if (report == null) {
            return new Condition(ID, false, "first schema comparison queued");
        }
        if (report.error() != null) {
            return new Condition(ID, false, "schema check failed: " + report.error());
        }
        ChangeReport changed = changes.report(mapping.name(), o.database());
        if (report.identical()) {
            Instant applied = changed.applied().isEmpty() ? null : changed.applied().getFirst().at();
            if (applied != null && applied.plus(stableFor).isAfter(now)) {
                return new Condition(ID, false, "source and destination schemas identical again after the schema "
                        + "change applied at " + applied + "; held for " + stableFor.toSeconds() + " s before ready");
            }
            return new Condition(ID, true, "source and destination schemas identical (checked "
                    + report.checkedAt() + ", every " + every.toSeconds() + " s)");
        }
        return new Condition(ID, false, drift(mapping, report, changed));
    }

    /** What differs and what happens to it, under the mapping's policy. */
    private static String drift(Mapping mapping, FidelityReport report, ChangeReport changed) {
        SchemaChangePolicy policy = mapping.schemaChanges().policy();
        if (policy == SchemaChangePolicy.DETECT_ONLY || changed.changes().isEmpty()) {
            String differences = report.differences().stream().limit(3).map(d -> d.kind() + " " + d.name()
                    + " (source: " + (d.source() == null ? "missing" : d.source()) + "; destination: "
                    + (d.destination() == null ? "missing" : d.destination()) + ")").collect(Collectors.joining("; "));
            return "schema drift: " + report.differences().size() + " difference(s): " + differences
                    + (report.differences().size() > 3 ? "; ..." : "") + ". Apply the same DDL on the destination "
                    + "(a new table: also add it to the publication and ALTER SUBSCRIPTION ... REFRESH PUBLICATION); "
                    + "the database's page lists every difference"
                    + (policy == SchemaChangePolicy.DETECT_ONLY ? " with the SQL pgferry would run "
                            + "(SCHEMA_CHANGES=detect-only: it applies nothing)" : "");
        }
        long automatic = changed.changes().stream().filter(c -> c.automaticUnder(policy)).count();
        List<SchemaChange> confirm = changed.changes().stream().filter(c -> !c.automaticUnder(policy)
                && c.confirmableUnder(policy)).toList();
        List<SchemaChange> manual = changed.changes().stream().filter(c -> c.level() == SchemaChange.Level.MANUAL)
                .toList();
        List<String> parts = new ArrayList<>();
        if (automatic > 0) {
            parts.add(automatic + " carried over by pgferry now");
        }
        if (!confirm.isEmpty()) {
            parts.add(confirm.size() + " waiting for confirmation (" + confirm.getFirst().what() + " "
                    + confirm.getFirst().object() + (confirm.size() > 1 ? ", ..." : "") + "): confirm on the database's "
                    + "page or POST /api/mappings/" + mapping.name() + "/schema-changes/apply?name=<database>&id="
                    + confirm.getFirst().id());
        }
        if (!manual.isEmpty()) {
            parts.add(manual.size() + " manual: " + manual.getFirst().what() + " " + manual.getFirst().object() + ": "
                    + manual.getFirst().why() + (manual.size() > 1 ? " (the database's page lists the others)" : ""));
        }
        return "schema changes on the source: " + String.join("; ", parts);
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
                    LogContext.about(mapping.name(), database, () -> changes.compare(mapping, database,
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
