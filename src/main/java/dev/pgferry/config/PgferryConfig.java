package dev.pgferry.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole validated configuration; built once at start-up by {@link ConfigurationValidator}. */
public record PgferryConfig(Map<String, Instance> instances, List<Mapping> mappings, List<User> users,
        Duration pollInterval, ReadinessThresholds ready, String pgBinDir, Duration dashboardRefresh,
        Duration exactCountInterval, int verifyChunkRows, List<NotifyTarget> webhooks) {

    public PgferryConfig {
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    /** Without webhooks. */
    public PgferryConfig(Map<String, Instance> instances, List<Mapping> mappings, List<User> users,
            Duration pollInterval, ReadinessThresholds ready, String pgBinDir, Duration dashboardRefresh,
            Duration exactCountInterval, int verifyChunkRows) {
        this(instances, mappings, users, pollInterval, ready, pgBinDir, dashboardRefresh, exactCountInterval,
                verifyChunkRows, List.of());
    }

    /** Without the slow schedule of exact counts (they run on demand only), default verify chunks. */
    public PgferryConfig(Map<String, Instance> instances, List<Mapping> mappings, List<User> users,
            Duration pollInterval, ReadinessThresholds ready, String pgBinDir, Duration dashboardRefresh) {
        this(instances, mappings, users, pollInterval, ready, pgBinDir, dashboardRefresh, Duration.ZERO, 10_000);
    }

    /** Thresholds of the cutover-ready light. */
    public record ReadinessThresholds(long maxLagBytes, Duration maxLagTime, Duration stableFor) {

        /** The default time limit (60 s) with the given bytes and window. */
        public ReadinessThresholds(long maxLagBytes, Duration stableFor) {
            this(maxLagBytes, Duration.ofSeconds(60), stableFor);
        }
    }

    public Optional<Mapping> mapping(String name) {
        return mappings.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
