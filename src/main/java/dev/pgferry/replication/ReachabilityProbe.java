package dev.pgferry.replication;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ConnInfo;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Finds out whether the destination server can open the connection its subscriptions will use to
 * the source (the source's replication address, which may differ from the one pgferry uses), before
 * anything is created: the destination runs a CREATE SUBSCRIPTION that connects, inside a
 * transaction it then rolls back, so nothing remains.
 *
 * <p>The probe carries a wrong password on purpose ({@link ConnInfo#forProbe}): a failed statement
 * is written to the destination server's log with its text, and the real password must never be.
 * The source refusing that password proves the path and the pg_hba.conf line; the real password
 * is the one pgferry itself logs in with. The source logs one failed login per probe.
 *
 * <p>One probe per source and destination pair: the first one in the tick that needs it, later
 * ones beside the loop once the last answer is old (a reached source every 10 minutes, otherwise
 * every 30 seconds), so that no tick waits for a connection timeout twice.
 */
@Component
public class ReachabilityProbe implements DisposableBean {

    static final String PROBE_NAME = "pgferry_reachability_probe";
    static final Duration REACHED_FOR = Duration.ofMinutes(10);
    static final Duration FAILED_FOR = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ReachabilityProbe.class);

    private final PgConnector connector;
    private final Clock clock;
    private final Map<Route, Answer> answers = new ConcurrentHashMap<>();
    private final Map<Route, Boolean> refreshing = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "reachability-probe");
        thread.setDaemon(true);
        return thread;
    });

    public ReachabilityProbe(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    private record Answer(SourceReach reach, Instant until) {
    }

    /** What the last probe of the mapping's source and destination found, probing first when there was none. */
    public SourceReach reach(Mapping mapping) {
        Route key = new Route(mapping.source().name(), mapping.destination().name());
        Answer answer = answers.get(key);
        if (answer == null) {
            synchronized (this) {
                answer = answers.computeIfAbsent(key, k -> probe(mapping.source(), mapping.destination()));
            }
        } else if (clock.instant().isAfter(answer.until()) && refreshing.putIfAbsent(key, true) == null) {
            background.submit(() -> {
                try {
                    answers.put(key, probe(mapping.source(), mapping.destination()));
                } finally {
                    refreshing.remove(key);
                }
            });
        }
        return answer.reach();
    }

    /**
     * Whether the source server reaches the destination where a reverse subscription (a mapping
     * turned around) would connect: the same probe the other way. Never waits: the first answer
     * comes from beside the loop ("not probed yet" until then).
     */
    public SourceReach reverseReach(Mapping mapping) {
        Route key = new Route(mapping.destination().name(), mapping.source().name());
        Answer answer = answers.get(key);
        if ((answer == null || clock.instant().isAfter(answer.until())) && refreshing.putIfAbsent(key, true) == null) {
            try {
                background.submit(() -> {
                    try {
                        answers.put(key, probe(mapping.destination(), mapping.source()));
                    } finally {
                        refreshing.remove(key);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
                refreshing.remove(key);
            }
        }
        return answer == null ? SourceReach.unknown(NOT_PROBED_YET) : answer.reach();
    }

    /** What {@link #reverseReach} says before its first probe ended. */
    public static final String NOT_PROBED_YET = "not probed yet";

    private Answer probe(Instance source, Instance destination) {
        SourceReach reach = run(source, destination);
        Answer before = answers.get(new Route(source.name(), destination.name()));
        // said once per change, not at every probe
        if (reach.state() != SourceReach.State.REACHED && (before == null || !before.reach().equals(reach))) {
            log.warn("server {} reaching server {} at {} as a subscription would: {} {}", destination.name(),
                    source.name(), source.replication().address(), reach.state(), reach.detail());
        }
        return new Answer(reach, clock.instant().plus(reach.state() == SourceReach.State.REACHED ? REACHED_FOR
                : FAILED_FOR));
    }

    private SourceReach run(Instance source, Instance destination) {
        String address = source.replication().address();
        String sql = ReplicationSql.reachabilityProbe(PROBE_NAME, ConnInfo.forProbe(source,
                source.maintenanceDatabase()));
        try (Connection c = connector.act(destination, destination.maintenanceDatabase(), Duration.ofSeconds(30))) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(sql);
                return new SourceReach(SourceReach.State.REACHED, address, "the source let the destination in");
            } catch (SQLException e) {
                return classify(address, e);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            return SourceReach.unknown("could not ask destination " + destination.name() + ": " + PgErrors.describe(e));
        }
    }

    /** What the destination server's error says of the path to the source. */
    static SourceReach classify(String address, SQLException e) {
        String message = PgErrors.describe(e);
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("password authentication failed")) {
            // our wrong password was refused: the source was reached and asked for one
            return new SourceReach(SourceReach.State.REACHED, address, "the source asked for a password");
        }
        if (lower.contains("password is required") || lower.contains("does not request a password")
                || lower.contains("not request a password")) {
            return new SourceReach(SourceReach.State.NO_PASSWORD_ASKED, address, message);
        }
        if (lower.contains("could not connect to the publisher")) {
            int at = message.indexOf("publisher:");
            return new SourceReach(SourceReach.State.UNREACHABLE, address,
                    at < 0 ? message : message.substring(at + "publisher:".length()).strip());
        }
        return SourceReach.unknown("the reachability probe could not run on the destination: " + message);
    }

    @Override
    public void destroy() {
        background.shutdownNow();
    }

    /** From a source instance to a destination instance, by name. */
    private record Route(String source, String destination) {
    }
}
