package dev.pgferry.web;

import dev.pgferry.monitor.LagHistory;
import dev.pgferry.reconcile.MappingStatus;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.schema.FidelityReport;
import java.time.Clock;
import org.springframework.stereotype.Component;

/** Builds the views with what lives beside the status: fidelity reports and the lag history. */
@Component
class MappingViewFactory implements MappingViews.Extras {

    private final FidelityCheck fidelity;
    private final LagHistory lagHistory;
    private final Clock clock;

    MappingViewFactory(FidelityCheck fidelity, LagHistory lagHistory, Clock clock) {
        this.fidelity = fidelity;
        this.lagHistory = lagHistory;
        this.clock = clock;
    }

    MappingView of(MappingStatus status) {
        return MappingViews.of(status, this);
    }

    @Override
    public FidelityReport fidelity(String mapping, String database) {
        return fidelity.last(mapping, database);
    }

    @Override
    public LagChart lagChart(String mapping, String database) {
        var samples = lagHistory.lastHour(mapping, database);
        return samples.isEmpty() ? null : LagChart.of(samples, clock.instant(), java.time.Duration.ofHours(1));
    }
}
