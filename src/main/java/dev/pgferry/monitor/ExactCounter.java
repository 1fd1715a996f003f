package dev.pgferry.monitor;

import dev.pgferry.reports.LastReports;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ExactCount.TableCount;
import dev.pgferry.pg.Identifiers;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Exact row counts, on demand and on pgferry's slow schedule. One count runs at a time in the
 * whole of pgferry, one table at a time, without parallel workers: a count is a full scan, and
 * a migration must never load a production source more than a single query does. Results live
 * in memory beside the live estimates.
 */
@Component
public class ExactCounter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ExactCounter.class);

    private final PgConnector connector;
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("exact-count").daemon().factory());
    private final LastReports<ExactCount> counts = new LastReports<>();

    public ExactCounter(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /** A table to count, by schema and name. */
    public record TableName(String schema, String name) {
    }

    /**
     * Queues a count of the given tables of one database; false when one is already queued or
     * running for it (the caller shows that one).
     */
    public boolean request(Mapping mapping, String database, List<TableName> tables, String requestedBy) {
        ExactCount queued = ExactCount.queued(requestedBy, clock.instant(), tables.size());
        ExactCount before = counts.update(mapping.name(), database, current -> current != null && current.running()
                ? current : queued);
        if (before != queued) {
            return false;
        }
        worker.submit(() -> count(mapping, database, tables, queued));
        return true;
    }

    public Optional<ExactCount> last(String mapping, String database) {
        return counts.last(mapping, database);
    }

    private void count(Mapping mapping, String database, List<TableName> tables, ExactCount queued) {
        ExactCount progress = new ExactCount(queued.requestedBy(), queued.requestedAt(), clock.instant(), null,
                tables.size(), List.of(), null);
        counts.keep(mapping.name(), database, progress);
        List<TableCount> done = new ArrayList<>();
        String error = null;
        // a table may take up to an hour to count (statement timeout of these sessions)
        try (Connection source = connector.act(mapping.source(), database, java.time.Duration.ofHours(1));
                Connection destination = connector.act(mapping.destination(), database,
                        java.time.Duration.ofHours(1))) {
            gentle(source);
            gentle(destination);
            for (TableName table : tables) {
                String sql = "SELECT count(*) FROM " + Identifiers.qualified(table.schema(), table.name());
                long sourceRows = single(source, sql);
                long destinationRows = single(destination, sql);
                done.add(new TableCount(table.schema(), table.name(), sourceRows, destinationRows, clock.instant()));
                counts.keep(mapping.name(), database, new ExactCount(progress.requestedBy(), progress.requestedAt(),
                        progress.startedAt(), null, tables.size(), done, null));
            }
        } catch (SQLException | RuntimeException e) {
            error = PgErrors.describe(e);
            log.warn("mapping {} database {}: exact count failed: {}", mapping.name(), database, error);
        }
        counts.keep(mapping.name(), database, new ExactCount(progress.requestedBy(), progress.requestedAt(),
                progress.startedAt(), clock.instant(), tables.size(), done, error));
    }

    /**
     * One backend per side, no parallel scan workers, never more than one query at a time; a
     * table may take up to an hour to count (a full scan of a large table is slow by nature).
     */
    private static void gentle(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET max_parallel_workers_per_gather = 0");
        }
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
