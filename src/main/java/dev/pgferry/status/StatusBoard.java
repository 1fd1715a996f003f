package dev.pgferry.status;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.monitor.CopyRates;
import dev.pgferry.monitor.LagHistory;
import dev.pgferry.monitor.ObservedDatabase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The last observed status of every mapping. Pages and the API render from here and never query
 * a server inside an HTTP request. A published status gets its alerts from the alert rules
 * ({@link AlertPolicy}) after its lag samples are recorded, since the rules read the history.
 */
@Component
public class StatusBoard {

    private final PgferryConfig config;
    private final StatusMetrics metrics;
    private final LagHistory lagHistory;
    private final CopyRates copyRates;
    private final Map<String, MappingStatus> latest = new ConcurrentHashMap<>();
    private final AlertPolicy alerts;

    public StatusBoard(PgferryConfig config, StatusMetrics metrics, LagHistory lagHistory, CopyRates copyRates,
            AlertPolicy alerts) {
        this.alerts = alerts;
        this.copyRates = copyRates;
        this.config = config;
        this.metrics = metrics;
        this.lagHistory = lagHistory;
    }

    /** Called by the reconciler after every tick. */
    public void publish(MappingStatus observed) {
        for (DatabaseStatus database : observed.databases()) {
            Long errors = database.observed().subscription().map(s -> s.applyErrors() + s.syncErrors()).orElse(null);
            database.observed().slot().ifPresent(slot -> lagHistory.record(observed.mapping().name(),
                    database.database(), slot.applyLagBytes(), slot.retainedBytes(), errors));
            for (ObservedDatabase.Table table : database.observed().tables()) {
                table.copy().ifPresent(copy -> copyRates.record(observed.mapping().name(), database.database(),
                        table.schema(), table.name(), copy.bytesDone()));
            }
        }
        MappingStatus status = observed.withAlerts(alerts.alertsOf(observed));
        latest.put(status.mapping().name(), status);
        metrics.update(status);
    }

    /**
     * Shows a tick's observations before its actions run (a first tick may copy the schema of many
     * databases); history, rates and metrics wait for the tick's final {@link #publish}.
     */
    public void preview(MappingStatus observed) {
        latest.put(observed.mapping().name(), observed.withAlerts(alerts.alertsOf(observed)));
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
