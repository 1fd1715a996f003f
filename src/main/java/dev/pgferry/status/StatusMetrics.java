package dev.pgferry.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Gauges from the last observed status, tagged by mapping and database only (low cardinality):
 * apply lag (bytes and time), retained WAL, cutover readiness, the phase as one series per phase
 * set to 1, alerts by kind and instance reachability; plus the tick timer and the action counter.
 * Refreshed after every tick; Prometheus scrapes them at /actuator/prometheus.
 */
@Component
public class StatusMetrics {

    private final MeterRegistry registry;
    private final Live instanceUp;
    private final Live tickLast;
    private final Live tickInterval;
    private final java.time.Duration pollInterval;
    /** Each mapping's series apart: a tick updates its own mapping's, not the 1,000 databases of all. */
    private final Map<String, MappingGauges> byMapping = new ConcurrentHashMap<>();
    private final Map<String, MappingStatus> latest = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    public StatusMetrics(MeterRegistry registry, dev.pgferry.config.PgferryConfig config) {
        this(registry, config.pollInterval());
    }

    public StatusMetrics(MeterRegistry registry, java.time.Duration pollInterval) {
        this.registry = registry;
        this.pollInterval = pollInterval;
        instanceUp = new Live(MultiGauge.builder("pgferry.instance.up")
                .description("1 when the instance answered the last tick").register(registry));
        // together they tell a stalled loop: time() - last > 3 * interval (the chart's alert rule)
        tickLast = new Live(MultiGauge.builder("pgferry.tick.last").baseUnit("seconds")
                .description("when the mapping was last looked at (Unix time)").register(registry));
        tickInterval = new Live(MultiGauge.builder("pgferry.tick.interval").baseUnit("seconds")
                .description("how often the mapping is looked at: the poll interval, 6 of them in plan mode")
                .register(registry));
    }

    /** The per-database and alert series of one mapping (several multi-gauges share a name, apart by tags). */
    private static final class MappingGauges {
        private final Live lag;
        private final Live retained;
        private final Live ready;
        private final Live phase;
        private final Live lagSeconds;
        private final Live alerts;

        MappingGauges(MeterRegistry registry) {
            lag = new Live(MultiGauge.builder("pgferry.database.lag").baseUnit("bytes")
                    .description("apply lag of the database's subscription").register(registry));
            retained = new Live(MultiGauge.builder("pgferry.database.wal.retained").baseUnit("bytes")
                    .description("WAL the database's replication slot holds back on the source").register(registry));
            ready = new Live(MultiGauge.builder("pgferry.database.cutover.ready")
                    .description("1 when the database is cutover-ready").register(registry));
            phase = new Live(MultiGauge.builder("pgferry.database.phase")
                    .description("1 for the database's current phase").register(registry));
            lagSeconds = new Live(MultiGauge.builder("pgferry.database.lag.time").baseUnit("seconds")
                    .description("apply lag in time (walsender replay_lag); absent while the link is idle")
                    .register(registry));
            alerts = new Live(MultiGauge.builder("pgferry.alerts")
                    .description("alerts of the mapping by kind (docs/operations.md)").register(registry));
        }
    }

    /** Times one tick of a mapping (observe, plan, act). */
    public Timer tickTimer(String mapping) {
        // the 0.99 quantile of the last minutes, beside count, sum and max: a stalled tick shows in it
        return Timer.builder("pgferry.tick").description("one reconcile tick of a mapping: observe, plan, act")
                .tag("mapping", mapping).publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Counts an action run by the loop: outcome ok, failed (needs a fix) or retry (transient). */
    public void actionRun(String mapping, String action, String outcome) {
        Counter.builder("pgferry.actions").description("actions run by the reconcile loop")
                .tags("mapping", mapping, "action", action, "outcome", outcome).register(registry).increment();
    }

    /** Called with every published status: that mapping's series, and every instance's. */
    public void update(MappingStatus mapping) {
        latest.put(mapping.mapping().name(), mapping);
        Map<Tags, Number> lagRows = new LinkedHashMap<>();
        Map<Tags, Number> retainedRows = new LinkedHashMap<>();
        Map<Tags, Number> readyRows = new LinkedHashMap<>();
        Map<Tags, Number> phaseRows = new LinkedHashMap<>();
        Map<Tags, Number> lagSecondsRows = new LinkedHashMap<>();
        Map<Tags, Number> alertRows = new LinkedHashMap<>();
        Map<String, Integer> byKind = new TreeMap<>();
        mapping.alerts().forEach(a -> byKind.merge(a.kind(), 1, Integer::sum));
        byKind.forEach((kind, n) -> alertRows.put(Tags.of("mapping", mapping.mapping().name(), "kind", kind), n));
        for (DatabaseStatus database : mapping.databases()) {
            Tags tags = Tags.of("mapping", mapping.mapping().name(), "database", database.database());
            database.observed().slot().ifPresent(slot -> {
                lagRows.put(tags, slot.applyLagBytes());
                retainedRows.put(tags, slot.retainedBytes());
                if (slot.lagSeconds() != null) {
                    lagSecondsRows.put(tags, slot.lagSeconds());
                }
            });
            readyRows.put(tags, database.cutoverReady() ? 1 : 0);
            for (Phase p : Phase.values()) {
                phaseRows.put(tags.and("phase", p.name()), p == database.phase() ? 1 : 0);
            }
        }
        MappingGauges gauges = byMapping.computeIfAbsent(mapping.mapping().name(), m -> new MappingGauges(registry));
        gauges.lag.set(lagRows);
        gauges.retained.set(retainedRows);
        gauges.ready.set(readyRows);
        gauges.phase.set(phaseRows);
        gauges.lagSeconds.set(lagSecondsRows);
        gauges.alerts.set(alertRows);
        Map<Tags, Number> up = new LinkedHashMap<>();
        for (MappingStatus each : latest.values()) {
            if (each.source() != null) {
                up.put(Tags.of("instance", each.source().name()), each.source().reachable() ? 1 : 0);
            }
            if (each.destination() != null) {
                up.put(Tags.of("instance", each.destination().name()), each.destination().reachable() ? 1 : 0);
            }
        }
        instanceUp.set(up);
        Map<Tags, Number> last = new LinkedHashMap<>();
        Map<Tags, Number> interval = new LinkedHashMap<>();
        for (MappingStatus each : latest.values()) {
            Tags tags = Tags.of("mapping", each.mapping().name());
            if (each.observedAt() != null) {
                last.put(tags, each.observedAt().toEpochMilli() / 1000.0);
            }
            interval.put(tags, pollInterval.multipliedBy(each.effectiveMode() == dev.pgferry.config.Mode.PLAN
                    ? MappingStatus.PLAN_MODE_TICK_EVERY : 1).toMillis() / 1000.0);
        }
        tickLast.set(last);
        tickInterval.set(interval);
    }

    /**
     * A multi-gauge whose series read their value at scrape time: a series that stays keeps its
     * meter (re-registering it on every tick would let a scrape in between miss it), a series
     * that goes is removed.
     */
    private static final class Live {

        private final MultiGauge gauge;
        private final Map<Tags, Double> values = new ConcurrentHashMap<>();

        Live(MultiGauge gauge) {
            this.gauge = gauge;
        }

        synchronized void set(Map<Tags, Number> now) {
            boolean sameSeries = values.keySet().equals(now.keySet());
            now.forEach((tags, value) -> values.put(tags, value.doubleValue()));
            if (sameSeries) {
                // the usual tick: the values change, the series do not; registering thousands of
                // rows again on every tick of every mapping took seconds at 1,000 databases
                return;
            }
            values.keySet().retainAll(now.keySet());
            List<Row<?>> rows = new ArrayList<>();
            for (Tags tags : now.keySet()) {
                rows.add(Row.of(tags, values, v -> v.getOrDefault(tags, Double.NaN)));
            }
            gauge.register(rows, false);
        }
    }
}
