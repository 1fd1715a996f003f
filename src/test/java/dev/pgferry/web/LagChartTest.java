package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.monitor.LagHistory.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagChartTest {

    @Test
    void pointsSpanTheHourEndingNowScaledToTheLargestValue() {
        Instant now = Instant.parse("2026-11-22T12:00:00Z");
        LagChart chart = LagChart.of(List.of(new Sample(now.minus(Duration.ofMinutes(60)), 0, 1000),
                new Sample(now.minus(Duration.ofMinutes(30)), 500, 1000), new Sample(now, 1000, 2000)), now,
                Duration.ofHours(1));
        assertThat(chart.maxBytes()).isEqualTo(2000);
        assertThat(chart.lagPoints()).isEqualTo("0.0,120.0 300.0,90.0 600.0,60.0");
        assertThat(chart.retainedPoints()).isEqualTo("0.0,60.0 300.0,60.0 600.0,0.0");
        assertThat(chart.samples()).isEqualTo(3);
    }
}
