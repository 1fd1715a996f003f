package dev.pgferry.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The status gauges follow every published status: values change in place (the series are not
 * registered again when only values change), series come and go with databases.
 */
class StatusMetricsTest {

    private static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Instance DST = new Instance("new", "10.0.0.2", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of(), Mode.RUN, CopyMethod.NATIVE);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StatusMetrics metrics = new StatusMetrics(registry, java.time.Duration.ofSeconds(5));

    private static DatabaseStatus database(String name, Phase phase) {
        return new DatabaseStatus(ObservedDatabase.unobserved(name, Instant.now()), List.of(),
                new Readiness(phase == Phase.READY, List.of()), Plan.of(phase, "test"),
                Optional.empty());
    }

    private static final Mapping BILLING = new Mapping("billing", SRC, DST, List.of(), Mode.RUN, CopyMethod.NATIVE);

    private void publish(DatabaseStatus... databases) {
        metrics.update(new MappingStatus(SHOP, null, null, List.of(databases), Instant.now()));
    }

    private Double phase(String database, Phase phase) {
        Gauge gauge = registry.find("pgferry.database.phase").tags("mapping", "shop", "database", database,
                "phase", phase.name()).gauge();
        return gauge == null ? null : gauge.value();
    }

    private Double ready(String database) {
        Gauge gauge = registry.find("pgferry.database.cutover.ready").tags("mapping", "shop", "database", database)
                .gauge();
        return gauge == null ? null : gauge.value();
    }

    @Test
    void eachMappingsLastLookAndHowOftenItIsLookedAtTellAStalledLoop() {
        Instant at = Instant.parse("2026-12-02T07:00:00Z");
        metrics.update(new MappingStatus(SHOP, null, null, List.of(database("a", Phase.READY)), at));
        Mapping planned = new Mapping("planned", SRC, DST, List.of(), Mode.PLAN, CopyMethod.NATIVE);
        metrics.update(new MappingStatus(planned, null, null, List.of(), at.plusSeconds(3)));
        assertThat(registry.find("pgferry.tick.last").tags("mapping", "shop").gauge().value())
                .isEqualTo(at.getEpochSecond());
        assertThat(registry.find("pgferry.tick.last").tags("mapping", "planned").gauge().value())
                .isEqualTo(at.getEpochSecond() + 3);
        assertThat(registry.find("pgferry.tick.interval").tags("mapping", "shop").gauge().value()).isEqualTo(5.0);
        assertThat(registry.find("pgferry.tick.interval").tags("mapping", "planned").gauge().value())
                .as("a mapping in plan mode is looked at every 6 poll intervals").isEqualTo(30.0);
    }

    @Test
    void valuesFollowThePhaseWithoutNewSeries() {
        publish(database("a", Phase.SCHEMA));
        assertThat(phase("a", Phase.SCHEMA)).isEqualTo(1.0);
        assertThat(phase("a", Phase.READY)).isEqualTo(0.0);
        assertThat(ready("a")).isEqualTo(0.0);
        int series = registry.getMeters().size();

        publish(database("a", Phase.READY));
        assertThat(phase("a", Phase.SCHEMA)).isEqualTo(0.0);
        assertThat(phase("a", Phase.READY)).isEqualTo(1.0);
        assertThat(ready("a")).isEqualTo(1.0);
        assertThat(registry.getMeters()).hasSize(series);
    }

    @Test
    void seriesComeAndGoWithTheDatabases() {
        publish(database("a", Phase.SCHEMA));
        publish(database("a", Phase.SCHEMA), database("b", Phase.COPYING));
        assertThat(phase("b", Phase.COPYING)).isEqualTo(1.0);
        assertThat(phase("a", Phase.SCHEMA)).isEqualTo(1.0);

        publish(database("b", Phase.STREAMING));
        assertThat(phase("a", Phase.SCHEMA)).as("a's series removed").isNull();
        assertThat(ready("a")).isNull();
        assertThat(phase("b", Phase.STREAMING)).isEqualTo(1.0);
        assertThat(phase("b", Phase.COPYING)).isEqualTo(0.0);
        Set<String> databases = Set.copyOf(registry.find("pgferry.database.phase").gauges().stream()
                .map(g -> g.getId().getTag("database")).toList());
        assertThat(databases).containsExactly("b");
    }

    @Test
    void aMappingsTickLeavesTheOtherMappingsSeriesAlone() {
        publish(database("a", Phase.READY));
        metrics.update(new MappingStatus(BILLING, null, null, List.of(database("x", Phase.COPYING)), Instant.now()));
        metrics.update(new MappingStatus(BILLING, null, null, List.of(database("x", Phase.STREAMING)),
                Instant.now()));
        assertThat(phase("a", Phase.READY)).as("shop's series stay").isEqualTo(1.0);
        assertThat(registry.find("pgferry.database.phase").tags("mapping", "billing", "database", "x", "phase",
                "STREAMING").gauge().value()).isEqualTo(1.0);
        publish();
        assertThat(phase("a", Phase.READY)).as("shop has no database any more").isNull();
        assertThat(registry.find("pgferry.database.phase").tags("mapping", "billing").gauges()).isNotEmpty();
    }
}
