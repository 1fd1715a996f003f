package dev.pgferry.cutover;

import dev.pgferry.reports.LastReports;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The drain at cutover: once no session of a source database holds a transaction id (writes
 * stopped), its current WAL position is the freeze point; the database is drained when its
 * slot's confirmed_flush_lsn has passed it, i.e. the destination has everything written before.
 * Freeze points live in memory (a restarted pgferry asks for the drain again).
 */
@Component
public class Drain {

    static final String STATE = """
            SELECT (SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND backend_type = 'client backend'
                      AND backend_xid IS NOT NULL AND pid <> pg_backend_pid())
                 + (SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()) AS writing,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS lsn,
                   pg_current_wal_lsn()::text AS lsn_text""";

    private final PgConnector connector;
    private final Clock clock;
    private final LastReports<FreezePoint> points = new LastReports<>();

    public Drain(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /** Where the source stood when nothing wrote any more. */
    public record FreezePoint(String database, long lsn, String lsnText, Instant at, String actor) {
    }

    /** The point, or why it cannot be taken yet (sessions still in a write transaction, an error). */
    public record Outcome(FreezePoint point, String refusal) {
    }

    /** Reads whether the source database is quiet, without recording anything. */
    public Outcome check(Mapping mapping, String database, String actor) {
        return check(mapping.source(), database, actor);
    }

    /** Reads whether the database on {@code where} is quiet (the destination, when rolling back). */
    public Outcome check(dev.pgferry.config.Instance where, String database, String actor) {
        try (Connection c = connector.act(where, database)) {
            return Jdbc.over(c).sql(STATE).query((rs, n) -> {
                long writing = rs.getLong("writing");
                if (writing > 0) {
                    return new Outcome(null, database + ": " + writing + " session(s) or prepared transaction(s) "
                            + "still hold a transaction id; stop the writes (freeze) and try again");
                }
                return new Outcome(new FreezePoint(database, rs.getLong("lsn"), rs.getString("lsn_text"),
                        clock.instant(), actor), null);
            }).single();
        } catch (SQLException | DataAccessException e) {
            return new Outcome(null, database + ": " + PgErrors.describe(e));
        }
    }

    public void record(String mapping, FreezePoint point) {
        points.keep(mapping, point.database(), point);
    }

    public Optional<FreezePoint> point(String mapping, String database) {
        return points.last(mapping, database);
    }

    /** Whether the slot has confirmed everything up to the freeze point; null without a point. */
    public Boolean drained(String mapping, ObservedDatabase o) {
        return point(mapping, o.database()).map(p -> o.slot().map(s -> s.confirmedFlush() >= p.lsn()).orElse(false))
                .orElse(null);
    }
}
