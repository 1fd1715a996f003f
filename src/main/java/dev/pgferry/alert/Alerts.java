package dev.pgferry.alert;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.monitor.LagHistory;
import dev.pgferry.status.Alert;
import dev.pgferry.status.AlertPolicy;
import dev.pgferry.status.MappingStatus;
import java.time.Clock;
import java.util.List;
import org.springframework.stereotype.Component;

/** The alert rules with what they read: the lag history of the last hour, the lag limit, the time. */
@Component
public class Alerts implements AlertPolicy {

    private final LagHistory lagHistory;
    private final PgferryConfig config;
    private final Clock clock;

    public Alerts(LagHistory lagHistory, PgferryConfig config, Clock clock) {
        this.lagHistory = lagHistory;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public List<Alert> alertsOf(MappingStatus status) {
        return AlertRules.evaluate(status, lagHistory::lastHour, config.ready().maxLagBytes(), clock.instant());
    }
}
