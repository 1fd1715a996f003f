package dev.pgferry.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole validated configuration; built once at start-up by {@link ConfigurationValidator}. */
public record PgferryConfig(Map<String, Instance> instances, List<Mapping> mappings, List<User> users,
        Duration pollInterval, Readiness ready, String pgBinDir, Duration dashboardRefresh) {

    /** Thresholds of the cutover-ready light. */
    public record Readiness(long maxLagBytes, Duration stableFor) {
    }

    public Optional<Mapping> mapping(String name) {
        return mappings.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
