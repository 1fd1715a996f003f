package dev.pgferry.pg;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps the session of an observation open between ticks, at most one idle session per instance
 * and database, so that a tick does not pay a login (fork, SCRAM) and cold catalog caches for
 * every database on every server: that is most of what observing a database costs. A session
 * idle longer than {@link #MAX_IDLE} is closed, one that no longer answers is replaced, one older
 * than {@link #MAX_AGE} (or up to half as long again, at random, so that the sessions of hundreds
 * of databases opened together are not all replaced in the same tick) is replaced (so that changed
 * credentials or pg_hba rules show within minutes), and a session handed out is used by one
 * caller only until it closes it.
 */
final class IdleSessions {

    /**
     * Longer than any tick: a mapping of hundreds of databases may take a minute to look at
     * them all the first time, and a session closed before the next tick would make every tick
     * pay the logins and cold caches again.
     */
    static final Duration MAX_IDLE = Duration.ofMinutes(5);
    static final Duration MAX_AGE = Duration.ofMinutes(10);

    private final Clock clock;
    private final Map<Key, Idle> idle = new ConcurrentHashMap<>();
    /** Set at shutdown: a session given back afterwards (by work beside the loop that outlived it) is closed. */
    private volatile boolean closed;

    IdleSessions(Clock clock) {
        this.clock = clock;
    }

    /** A session, when it is to be replaced, and since when it waits (null while lent). */
    record Idle(Connection connection, Instant retireAt, Instant since) {
    }

    /** An idle session for this key that still answers, or null. */
    Idle take(Key key) {
        Idle session = idle.remove(key);
        if (session == null) {
            return null;
        }
        if (expired(session) || !answers(session.connection())) {
            closeQuietly(session.connection());
            return null;
        }
        return session;
    }

    /** A session just opened, to lend. */
    Idle opened(Connection connection) {
        long spread = ThreadLocalRandom.current().nextLong(MAX_AGE.toMillis() / 2 + 1);
        return new Idle(connection, clock.instant().plus(MAX_AGE).plusMillis(spread), null);
    }

    /** Wraps a session so that closing it puts it back for this key instead. */
    Connection lend(Key key, Idle session) {
        Connection connection = session.connection();
        InvocationHandler handler = new InvocationHandler() {
            private boolean returned;

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (method.getDeclaringClass() == Object.class) {
                    return switch (method.getName()) {
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> "pgferry observation session " + key.instance() + "/" + key.database();
                    };
                }
                switch (method.getName()) {
                    case "close" -> {
                        if (!returned) {
                            returned = true;
                            giveBack(key, session);
                        }
                        return null;
                    }
                    case "isClosed" -> {
                        return returned || connection.isClosed();
                    }
                    case "unwrap" -> {
                        return ((Class<?>) args[0]).isInstance(proxy) ? proxy : connection.unwrap((Class<?>) args[0]);
                    }
                    default -> {
                        if (returned) {
                            throw new SQLException("connection returned to pgferry's idle sessions", "08003");
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                handler);
    }

    private void giveBack(Key key, Idle session) {
        Connection connection = session.connection();
        if (closed || session.retireAt().isBefore(clock.instant())) {
            closeQuietly(connection);
            return;
        }
        try {
            // only a clean session goes back: open, autocommit, no transaction left behind
            if (connection.isClosed() || !connection.getAutoCommit()) {
                closeQuietly(connection);
                return;
            }
        } catch (SQLException e) {
            closeQuietly(connection);
            return;
        }
        Idle previous = idle.put(key, new Idle(connection, session.retireAt(), clock.instant()));
        if (previous != null) {
            closeQuietly(previous.connection());
        }
        if (closed) {
            // shut down meanwhile: nothing is kept
            Idle kept = idle.remove(key);
            if (kept != null) {
                closeQuietly(kept.connection());
            }
        }
        closeExpired();
    }

    /** Closes sessions idle too long (e.g. of a database no longer observed). */
    void closeExpired() {
        idle.entrySet().removeIf(e -> {
            if (expired(e.getValue())) {
                closeQuietly(e.getValue().connection());
                return true;
            }
            return false;
        });
    }

    void closeAll() {
        closed = true;
        idle.values().forEach(i -> closeQuietly(i.connection()));
        idle.clear();
    }

    private boolean expired(Idle session) {
        return session.since().plus(MAX_IDLE).isBefore(clock.instant());
    }

    private static boolean answers(Connection connection) {
        try {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // already broken: nothing to release
        }
    }

    /** A database of an instance, by name: the sessions kept for it. */
    record Key(String instance, String database) {
    }
}
