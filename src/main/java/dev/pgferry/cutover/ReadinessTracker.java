package dev.pgferry.cutover;

import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.status.Readiness;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.status.Readiness.Condition;
import dev.pgferry.monitor.ObservedDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Adds the conditions that need a window: no new apply or sync error, and everything held for
 * {@code ready.stable-for}. The window lives in memory; after a restart it starts again, which
 * only delays the light.
 */
@Component
public class ReadinessTracker {

    private final PgferryConfig config;
    private final Clock clock;
    private final DriftGuard drift;
    private final Map<DatabaseKey, Window> windows = new ConcurrentHashMap<>();

    public ReadinessTracker(PgferryConfig config, Clock clock, DriftGuard drift) {
        this.config = config;
        this.drift = drift;
        this.clock = clock;
    }

    public Readiness evaluate(Mapping mappingConfig, ObservedDatabase o) {
        String mapping = mappingConfig.name();
        Instant now = clock.instant();
        Duration stableFor = config.ready().stableFor();
        List<Condition> conditions = new ArrayList<>(ReadinessConditions.evaluate(o, config.ready()));
        conditions.add(drift.condition(mappingConfig, o));
        long errors = o.subscription().map(s -> s.applyErrors() + s.syncErrors()).orElse(0L);
        Window window = windows.compute(DatabaseKey.of(mapping, o.database()), (k, w) -> (w == null ? new Window(errors, null,
                null) : w).next(errors, conditions.stream().allMatch(Condition::met), now));
        boolean quiet = window.lastErrorAt() == null || window.lastErrorAt().plus(stableFor).isBefore(now);
        conditions.add(new Condition("no-recent-errors", quiet, quiet ? "no apply or sync error in the last "
                + stableFor.toSeconds() + " s" : "apply or sync error at " + window.lastErrorAt()
                        + " (see the destination's server log)"));
        boolean stable = window.heldSince() != null && !window.heldSince().plus(stableFor).isAfter(now);
        conditions.add(new Condition("stable", stable, window.heldSince() == null ? "conditions not met yet"
                : stable ? "conditions held since " + window.heldSince()
                        : "conditions held since " + window.heldSince() + ", need " + stableFor.toSeconds() + " s"));
        return new Readiness(conditions.stream().allMatch(Condition::met), conditions);
    }

    private record Window(long errorCount, Instant lastErrorAt, Instant heldSince) {

        Window next(long errors, boolean allMet, Instant now) {
            Instant errorAt = errors > errorCount ? now : lastErrorAt;
            Instant since = allMet && errors <= errorCount ? (heldSince == null ? now : heldSince) : null;
            return new Window(errors, errorAt, since);
        }
    }
}
