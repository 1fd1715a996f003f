package dev.pgferry.pg;

import dev.pgferry.config.Instance;
import dev.pgferry.config.TlsFiles;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Opens connections to a database of an instance, always with a connect timeout and a statement
 * timeout, so that one unreachable or stuck server never blocks the others.
 *
 * <p>Observations reuse one idle session per instance and database between ticks
 * ({@link IdleSessions}); actions always open their own and close it.
 *
 * <p>Every connect goes through a Resilience4j retry ({@code pg-connect}: a server restarting is
 * waited for, with backoff and jitter) inside a circuit breaker per instance ({@code pg-<instance>},
 * configuration {@code pg-instance}): once most recent connects to an instance failed, the next
 * ones fail at once for a while instead of each waiting for its connect timeout, so that a tick
 * over hundreds of databases of a dead server stays short; then a few are let through again.
 */
@Component
public class PgConnector implements DisposableBean {

    static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final Retry connectRetry;
    private final CircuitBreakerRegistry breakers;
    private final CircuitBreakerConfig breakerConfig;
    private final IdleSessions idleSessions;

    public PgConnector(RetryRegistry retries, CircuitBreakerRegistry breakers, Clock clock) {
        // settings in application.yml (resilience4j.retry.instances.pg-connect): backoff with jitter
        this.connectRetry = retries.retry("pg-connect");
        this.breakers = breakers;
        // only failures to reach a server count (a wrong password must not pause the instance): set
        // here rather than in application.yml, where the shared config's predicate is not applied
        this.breakerConfig = CircuitBreakerConfig.from(breakers.getConfiguration("pg-instance")
                .orElse(breakers.getDefaultConfig())).recordException(new TransientSqlError()).build();
        this.idleSessions = new IdleSessions(clock);
    }

    /**
     * A session for read-only observation (short statement timeout): the idle one kept since the
     * last tick when it still answers, else a new one. Closing it keeps it for the next tick.
     */
    public Connection observe(Instance instance, String database) throws SQLException {
        IdleSessions.Key key = new IdleSessions.Key(instance.name(), database);
        IdleSessions.Idle session = idleSessions.take(key);
        if (session == null) {
            session = idleSessions.opened(open(instance, database, Duration.ofSeconds(30)));
        }
        return idleSessions.lend(key, session);
    }

    @Override
    public void destroy() {
        idleSessions.closeAll();
    }

    /** Opens a connection for an action, which may run longer (e.g. CREATE SUBSCRIPTION waits for a snapshot). */
    public Connection act(Instance instance, String database) throws SQLException {
        return open(instance, database, Duration.ofMinutes(10));
    }

    /**
     * A connection for an action whose statements may run up to the given time (a count or a
     * checksum of a large table); its socket timeout follows.
     */
    public Connection act(Instance instance, String database, Duration statementTimeout) throws SQLException {
        return open(instance, database, statementTimeout);
    }

    /**
     * A replication connection (replication=database, simple query protocol) for creating a slot
     * with an exported snapshot. No timeout ends it: the snapshot lives as long as the connection
     * stays idle in it. Never pool or validate it (any command destroys the snapshot).
     */
    public Connection replication(Instance instance, String database) throws SQLException {
        PGSimpleDataSource source = dataSource(instance, database, Duration.ZERO);
        source.setReplication("database");
        source.setPreferQueryMode(org.postgresql.jdbc.PreferQueryMode.SIMPLE);
        source.setAssumeMinServerVersion("10");
        source.setOptions("-c statement_timeout=0 -c idle_in_transaction_session_timeout=0");
        return connect(instance, source);
    }

    /**
     * The session that holds a mapping's lease (an advisory lock): it stays idle for hours, so
     * no idle timeout of the server may end it, and a dead peer must be noticed on both ends
     * within seconds: the server ends the session (and frees the lock) once its keepalives or
     * unacknowledged data go unanswered for about 30 s, and pgferry's own reads give up after
     * 10 s, so the holder always knows it lost the lease before another pgferry can take it.
     */
    public Connection lease(Instance instance, String database, String applicationName) throws SQLException {
        PGSimpleDataSource source = dataSource(instance, database, Duration.ofSeconds(5));
        source.setSocketTimeout(LEASE_READ_TIMEOUT_SECONDS);
        source.setApplicationName(applicationName);
        source.setOptions(source.getOptions() + " -c idle_session_timeout=0 -c idle_in_transaction_session_timeout=0"
                + " -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=4"
                + " -c tcp_user_timeout=30000");
        return connect(instance, source);
    }

    /** How long the lease holder waits for an answer before taking its lease for lost. */
    public static final int LEASE_READ_TIMEOUT_SECONDS = 10;

    /** A connection for a bulk copy: no statement timeout (one COPY may run for hours). */
    public Connection bulk(Instance instance, String database) throws SQLException {
        return open(instance, database, Duration.ZERO);
    }

    /** A non-pooling DataSource, for Flyway on the control schema. */
    public DataSource dataSource(Instance instance, String database) throws SQLException {
        return dataSource(instance, database, Duration.ofMinutes(1));
    }

    private Connection open(Instance instance, String database, Duration statementTimeout) throws SQLException {
        return connect(instance, dataSource(instance, database, statementTimeout));
    }

    /**
     * Connects with the retry policy (pg-connect: a server restarting is waited for, briefly)
     * inside the instance's circuit breaker. An open breaker answers at once with a connection
     * error (SQLState 08001) that says why and for how long, so the instance shows unreachable.
     */
    private Connection connect(Instance instance, PGSimpleDataSource source) throws SQLException {
        CircuitBreaker breaker = breakers.circuitBreaker("pg-" + instance.name(), breakerConfig);
        try {
            return Retry.decorateCheckedSupplier(connectRetry,
                    CircuitBreaker.decorateCheckedSupplier(breaker, source::getConnection)).get();
        } catch (CallNotPermittedException e) {
            CircuitBreaker.Metrics metrics = breaker.getMetrics();
            throw new SQLException("connections to instance " + instance.name() + " are paused: "
                    + metrics.getNumberOfFailedCalls() + " of its last " + metrics.getNumberOfBufferedCalls()
                    + " connection attempts failed (circuit breaker pg-" + instance.name() + " is open; pgferry "
                    + "tries again after " + breakerConfig.getWaitIntervalFunctionInOpenState().apply(1) / 1000
                    + " s). Check that the server runs and is reachable from pgferry", "08001", e);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new SQLException(e.getMessage(), "08000", e);
        }
    }

    private static PGSimpleDataSource dataSource(Instance instance, String database, Duration statementTimeout)
            throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {instance.host()});
        source.setPortNumbers(new int[] {instance.port()});
        source.setDatabaseName(database);
        source.setUser(instance.user());
        if (instance.password().isPresent()) {
            try {
                source.setPassword(instance.password().reveal());
            } catch (java.io.UncheckedIOException e) {
                // the password file or command failed: a login problem of this instance, not retried
                throw new SQLException("the password of instance " + instance.name() + " is not available: "
                        + e.getCause().getMessage(), "28000", e);
            }
        }
        source.setSslMode(instance.sslmode());
        TlsFiles tls = instance.tls();
        if (tls.rootCert() != null) {
            source.setSslRootCert(tls.rootCert().toString());
        }
        if (tls.cert() != null) {
            source.setSslCert(tls.cert().toString());
            source.setSslKey(tls.key().toString());
            // pgjdbc reads a PEM key as RSA unless told otherwise
            source.setProperty("pemKeyAlgorithm", tls.keyAlgorithm());
        }
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setLoginTimeout(CONNECT_TIMEOUT_SECONDS);
        // a network that swallows packets (no reset) would leave a read waiting forever: a session
        // with a statement timeout also gives up reading a minute after the server would have
        // cancelled; keepalives let the kernel notice a dead peer on idle sessions
        source.setTcpKeepAlive(true);
        if (!statementTimeout.isZero()) {
            source.setSocketTimeout((int) statementTimeout.plusMinutes(1).toSeconds());
        }
        source.setApplicationName("pgferry");
        // pgferry's own sessions stay writable on a source database frozen by default_transaction_read_only:
        // it writes only its own objects there (the publication, the freeze and its undo)
        source.setOptions("-c statement_timeout=" + statementTimeout.toMillis() + " -c lock_timeout=30000"
                + " -c default_transaction_read_only=off");
        return source;
    }
}
