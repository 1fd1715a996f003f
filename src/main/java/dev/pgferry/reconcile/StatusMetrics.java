package dev.pgferry.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Gauges from the last observed status, tagged by mapping and database only (low cardinality):
 * apply lag, retained WAL, cutover readiness, and the phase as one series per phase set to 1.
 * Refreshed after every tick; Prometheus scrapes them at /actuator/prometheus.
 */
@Component
public class StatusMetrics {

    private final MultiGauge lag;
    private final MultiGauge retained;
    private final MultiGauge ready;
    private final MultiGauge phase;
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
    }

    /** Called with every published status. */
    public void update(MappingStatus status) {
        latest.put(status.mapping().name(), status);
        List<Row<?>> lagRows = new ArrayList<>();
        List<Row<?>> retainedRows = new ArrayList<>();
        List<Row<?>> readyRows = new ArrayList<>();
        List<Row<?>> phaseRows = new ArrayList<>();
        for (MappingStatus mapping : latest.values()) {
            for (DatabaseStatus database : mapping.databases()) {
                Tags tags = Tags.of("mapping", mapping.mapping().name(), "database", database.database());
                database.observed().slot().ifPresent(slot -> {
                    lagRows.add(Row.of(tags, slot.applyLagBytes()));
                    retainedRows.add(Row.of(tags, slot.retainedBytes()));
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
    }
}
