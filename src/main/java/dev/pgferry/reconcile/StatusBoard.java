package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.monitor.LagHistory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The last observed status of every mapping. Pages and the API render from here and never query
 * a server inside an HTTP request.
 */
@Component
public class StatusBoard {

    private final PgferryConfig config;
    private final StatusMetrics metrics;
    private final LagHistory lagHistory;
    private final Map<String, MappingStatus> latest = new ConcurrentHashMap<>();

    public StatusBoard(PgferryConfig config, StatusMetrics metrics, LagHistory lagHistory) {
        this.config = config;
        this.metrics = metrics;
        this.lagHistory = lagHistory;
    }

    /** Called by the reconciler after every tick. */
    public void publish(MappingStatus status) {
        latest.put(status.mapping().name(), status);
        metrics.update(status);
        for (DatabaseStatus database : status.databases()) {
            database.observed().slot().ifPresent(slot -> lagHistory.record(status.mapping().name(),
                    database.database(), slot.applyLagBytes(), slot.retainedBytes()));
        }
    }

    public List<MappingStatus> all() {
        return config.mappings().stream().map(this::statusOf).toList();
    }

    public Optional<MappingStatus> get(String name) {
        return config.mapping(name).map(this::statusOf);
    }

    private MappingStatus statusOf(Mapping mapping) {
        return latest.getOrDefault(mapping.name(), MappingStatus.pending(mapping));
    }
}
