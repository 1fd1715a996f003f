package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.config.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How often the freeze's outlook is read, and what the pages show before the first read. */
class FreezeOutlooksTest {

    private final FreezeOutlooks outlooks = new FreezeOutlooks(null, new PgferryConfig(Map.of(), List.of(),
            List.of(), Duration.ofSeconds(5), new PgferryConfig.ReadinessThresholds(1024, Duration.ofSeconds(30)), null,
            Duration.ofSeconds(5)), Clock.systemUTC());

    @Test
    void aMappingOfManyDatabasesIsReadLessOftenUpToTwelveIntervals() {
        assertThat(outlooks.interval(0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(outlooks.interval(10)).isEqualTo(Duration.ofSeconds(5));
        assertThat(outlooks.interval(11)).isEqualTo(Duration.ofSeconds(10));
        assertThat(outlooks.interval(100)).isEqualTo(Duration.ofSeconds(50));
        assertThat(outlooks.interval(1000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void beforeTheFirstReadOnlyTheConfigurationIsKnown() {
        Instance instance = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("pw"), "prefer", "postgres");
        Mapping mapping = new Mapping("Shop", instance, instance, List.of("shop"), Mode.RUN, CopyMethod.NATIVE);
        FreezeOutlook outlook = outlooks.last(mapping);
        assertThat(outlook.readAt()).isNull();
        assertThat(outlook.plan()).isNull();
        assertThat(outlook.frozen()).isFalse();
        assertThat(outlook.allowed()).isFalse();
        assertThat(outlook.allowVariable()).isEqualTo("PGFERRY_MAPPINGS_SHOP_ALLOW_FREEZE");
    }
}
