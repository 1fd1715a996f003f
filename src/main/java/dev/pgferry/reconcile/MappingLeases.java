package dev.pgferry.reconcile;

import dev.pgferry.status.Lease;
import dev.pgferry.config.Mapping;
import dev.pgferry.copy.SnapshotCopies;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * One active writer per mapping: the lease is a session-level advisory lock on the destination's
 * maintenance database, held by a session of its own for as long as this pgferry acts on the
 * mapping. PostgreSQL frees it when that session ends: at once when the holder's process dies
 * (its host closes the connection), within about 30 s when the holder's host vanishes from the
 * network (server-side keepalives), and the holder itself takes the lease for lost after 10 s
 * without an answer, before anyone else can have it. Losing it cancels this process's snapshot
 * copies of the mapping.
 */
@Component
public class MappingLeases implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MappingLeases.class);
    /** An action re-checks the lease when the last look at it is older than this. */
    static final Duration FRESH = Duration.ofSeconds(5);

    static final String HOLDER = """
            SELECT a.application_name, l.pid, a.backend_start
            FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid::bigint = ? AND l.objid::bigint = ?""";

    private final PgConnector connector;
    private final SnapshotCopies copies;
    private final Clock clock;
    private final String self;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, Lease> last = new ConcurrentHashMap<>();
    private final Map<String, Object> guards = new ConcurrentHashMap<>();

    /** The session holding a lease, and when it last answered. */
    private record Held(Connection session, Instant since, Instant verifiedAt) {
    }

    public MappingLeases(PgConnector connector, SnapshotCopies copies, Clock clock) {
        this.connector = connector;
        this.copies = copies;
        this.clock = clock;
        this.self = processName();
    }

    /** host:pid; on Kubernetes the host name is the pod's name. */
    private static String processName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /**
     * At the start of a tick: keeps the lease if held (the session still answers), else tries to
     * take it. Never throws: an unreachable destination means nobody here acts.
     */
    public Lease acquire(Mapping mapping) {
        synchronized (guard(mapping)) {
            Lease lease = verify(mapping);
            if (!lease.held()) {
                lease = tryTake(mapping);
            }
            last.put(mapping.name(), lease);
            return lease;
        }
    }

    /** One mapping's lease is looked at by one thread at a time; other mappings are not held up. */
    private Object guard(Mapping mapping) {
        return guards.computeIfAbsent(mapping.name(), k -> new Object());
    }

    /** The lease as the last tick (or action) saw it. */
    public Lease last(Mapping mapping) {
        return last.getOrDefault(mapping.name(), Lease.notYet());
    }

    /**
     * Whether this process may act on the mapping right now: held, and its session answered
     * within the last few seconds (asked again otherwise).
     */
    public boolean stillHeld(Mapping mapping) {
        synchronized (guard(mapping)) {
            Held h = held.get(mapping.name());
            if (h == null) {
                return false;
            }
            if (h.verifiedAt().plus(FRESH).isAfter(clock.instant())) {
                return true;
            }
            Lease lease = verify(mapping);
            last.put(mapping.name(), lease);
            return lease.held();
        }
    }

    /** For an operator's action: refused, with who holds the lease, unless this process does. */
    public void requireHeld(Mapping mapping) throws ActionRefused {
        if (!stillHeld(mapping)) {
            Lease lease = last(mapping);
            throw new ActionRefused("mapping " + mapping.name() + ": " + (lease.held() ? "its lease was just lost"
                    : lease.passiveReason()) + ". Act through the pgferry that holds it");
        }
    }

    private Lease verify(Mapping mapping) {
        Held h = held.get(mapping.name());
        if (h == null) {
            return Lease.unknown("not held");
        }
        try {
            Jdbc.over(h.session()).sql("SELECT 1").query(Integer.class).single();
            held.put(mapping.name(), new Held(h.session(), h.since(), clock.instant()));
            return Lease.held(self, h.since());
        } catch (RuntimeException e) {
            lost(mapping, h, PgErrors.describe(e));
            return Lease.unknown("its session was lost: " + PgErrors.describe(e));
        }
    }

    private Lease tryTake(Mapping mapping) {
        int key = LeaseLocks.lockKey(mapping.name());
        Connection session = null;
        try {
            session = connector.lease(mapping.destination(), mapping.destination().maintenanceDatabase(),
                    LeaseLocks.applicationName(self));
            var jdbc = Jdbc.over(session);
            if (jdbc.sql("SELECT pg_try_advisory_lock(?, ?)").params(LeaseLocks.LOCK_CLASS, key).query(Boolean.class)
                    .single()) {
                Instant now = clock.instant();
                held.put(mapping.name(), new Held(session, now, now));
                log.info("mapping {}: this pgferry ({}) holds its lease and acts on it", mapping.name(), self);
                return Lease.held(self, now);
            }
            Lease passive = jdbc.sql(HOLDER).params((long) LeaseLocks.LOCK_CLASS, (long) key).query((rs, n) -> {
                OffsetDateTime since = rs.getObject("backend_start", OffsetDateTime.class);
                return Lease.passive(LeaseLocks.holderOf(rs.getString("application_name"), rs.getInt("pid")),
                        since == null ? null : since.toInstant());
            }).optional().orElse(Lease.passive("another session", null));
            session.close();
            return passive;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(session);
            return Lease.unknown("destination " + mapping.destination().name() + ": " + PgErrors.describe(e));
        }
    }

    private void lost(Mapping mapping, Held h, String why) {
        held.remove(mapping.name());
        closeQuietly(h.session());
        int cancelled = copies.cancelMapping(mapping.name());
        log.warn("mapping {}: this pgferry lost its lease ({}); it stops acting{}", mapping.name(), why,
                cancelled == 0 ? "" : " and cancelled " + cancelled + " snapshot cop" + (cancelled == 1 ? "y" : "ies"));
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // gone already
            }
        }
    }

    /** Frees every lease at shutdown (after the loop stopped): another pgferry may take over at once. */
    @Override
    public void destroy() {
        held.values().forEach(h -> {
            try {
                h.session().close();
            } catch (SQLException ignored) {
                // the server frees the lock with the session anyway
            }
        });
        held.clear();
    }
}
