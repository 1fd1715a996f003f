package dev.pgferry.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    private final MultiGauge lag;
    private final MultiGauge retained;
    private final MultiGauge ready;
    private final MultiGauge phase;
    private final MultiGauge lagSeconds;
    private final MultiGauge alerts;
    private final MultiGauge instanceUp;
    private final MeterRegistry registry;
    private final Map<String, MappingStatus> latest = new ConcurrentHashMap<>();

    public StatusMetrics(MeterRegistry registry) {
        lag = MultiGauge.builder("pgferry.database.lag").baseUnit("bytes")
                .description("apply lag of the database's subscription").register(registry);
        retained = MultiGauge.builder("pgferry.database.wal.retained").baseUnit("bytes")
                .description("WAL the database's replication slot holds back on the source").register(registry);
        ready = MultiGauge.builder("pgferry.database.cutover.ready")
                .description("1 when the database is cutover-ready").register(registry);
        phase = MultiGauge.builder("pgferry.database.phase")
                .description("1 for the database's current phase").register(registry);
        lagSeconds = MultiGauge.builder("pgferry.database.lag.time").baseUnit("seconds")
                .description("apply lag in time (walsender replay_lag); absent while the link is idle")
                .register(registry);
        alerts = MultiGauge.builder("pgferry.alerts")
                .description("alerts of the mapping by kind (docs/operations.md)").register(registry);
        instanceUp = MultiGauge.builder("pgferry.instance.up")
                .description("1 when the instance answered the last tick").register(registry);
        this.registry = registry;
    }

    /** Times one tick of a mapping (observe, plan, act). */
    public Timer tickTimer(String mapping) {
        return Timer.builder("pgferry.tick").description("one reconcile tick of a mapping: observe, plan, act")
                .tag("mapping", mapping).register(registry);
    }

    /** Counts an action run by the loop: outcome ok, failed (needs a fix) or retry (transient). */
    public void actionRun(String mapping, String action, String outcome) {
        Counter.builder("pgferry.actions").description("actions run by the reconcile loop")
                .tags("mapping", mapping, "action", action, "outcome", outcome).register(registry).increment();
    }

    /** Called with every published status. */
    public void update(MappingStatus status) {
        latest.put(status.mapping().name(), status);
        List<Row<?>> lagRows = new ArrayList<>();
        List<Row<?>> retainedRows = new ArrayList<>();
        List<Row<?>> readyRows = new ArrayList<>();
        List<Row<?>> phaseRows = new ArrayList<>();
        List<Row<?>> lagSecondsRows = new ArrayList<>();
        List<Row<?>> alertRows = new ArrayList<>();
        Map<String, Integer> up = new TreeMap<>();
        for (MappingStatus mapping : latest.values()) {
            Map<String, Integer> byKind = new TreeMap<>();
            mapping.alerts().forEach(a -> byKind.merge(a.kind(), 1, Integer::sum));
            byKind.forEach((kind, n) -> alertRows.add(Row.of(Tags.of("mapping", mapping.mapping().name(), "kind", kind),
                    n)));
            if (mapping.source() != null) {
                up.put(mapping.source().name(), mapping.source().reachable() ? 1 : 0);
            }
            if (mapping.destination() != null) {
                up.put(mapping.destination().name(), mapping.destination().reachable() ? 1 : 0);
            }
            for (DatabaseStatus database : mapping.databases()) {
                Tags tags = Tags.of("mapping", mapping.mapping().name(), "database", database.database());
                database.observed().slot().ifPresent(slot -> {
                    lagRows.add(Row.of(tags, slot.applyLagBytes()));
                    retainedRows.add(Row.of(tags, slot.retainedBytes()));
                    if (slot.lagSeconds() != null) {
                        lagSecondsRows.add(Row.of(tags, slot.lagSeconds()));
                    }
                });
                readyRows.add(Row.of(tags, database.cutoverReady() ? 1 : 0));
                for (Phase p : Phase.values()) {
                    phaseRows.add(Row.of(tags.and("phase", p.name()), p == database.phase() ? 1 : 0));
                }
            }
        }
        lag.register(lagRows, true);
        retained.register(retainedRows, true);
        ready.register(readyRows, true);
        phase.register(phaseRows, true);
        lagSeconds.register(lagSecondsRows, true);
        alerts.register(alertRows, true);
        instanceUp.register(up.entrySet().stream().<Row<?>>map(e -> Row.of(Tags.of("instance", e.getKey()),
                e.getValue())).toList(), true);
    }
}
