package dev.pgferry.cutover;

import dev.pgferry.reports.LastReports;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.Identifiers;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Refreshes every materialized view of a destination database: the schema copy creates them
 * empty (their contents are data, and logical replication does not carry them). A view built on
 * another is refreshed after it: views that fail because another is not populated yet are tried
 * again after the others.
 */
@Component
public class MaterializedViews {

    static final String VIEWS = """
            SELECT schemaname::text AS schema, matviewname::text AS name FROM pg_matviews
            WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\\\\_%' ORDER BY 1, 2""";
    /** object_not_in_prerequisite_state: built on a view not populated yet. */
    private static final String NOT_POPULATED = "55000";

    private final PgConnector connector;
    private final Clock clock;
    private final LastReports<RefreshReport> last = new LastReports<>();

    public MaterializedViews(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /** One view: refreshed (with how long it took) or the server's message. */
    public record ViewRefresh(String schema, String name, boolean refreshed, long millis, String error) {
    }

    public record RefreshReport(String database, Instant at, String actor, List<ViewRefresh> views, String error) {

        public RefreshReport {
            views = List.copyOf(views);
        }

        public long failed() {
            return views.stream().filter(v -> !v.refreshed()).count();
        }
    }

    public RefreshReport refresh(Mapping mapping, String database, String actor) {
        RefreshReport report;
        try (Connection c = connector.act(mapping.destination(), database)) {
            List<String[]> pending = new ArrayList<>(Jdbc.over(c).sql(VIEWS)
                    .query((rs, n) -> new String[] {rs.getString("schema"), rs.getString("name")}).list());
            Map<String, ViewRefresh> done = new LinkedHashMap<>();
            boolean progress = true;
            while (!pending.isEmpty() && progress) {
                progress = false;
                List<String[]> again = new ArrayList<>();
                for (String[] view : pending) {
                    ViewRefresh result = refresh(c, view[0], view[1]);
                    if (result.refreshed()) {
                        progress = true;
                    }
                    boolean waitsForAnother = !result.refreshed() && result.error().startsWith(NOT_POPULATED);
                    if (waitsForAnother) {
                        again.add(view);
                    }
                    done.put(view[0] + "." + view[1], result);
                }
                pending = again;
            }
            report = new RefreshReport(database, clock.instant(), actor, List.copyOf(done.values()), null);
        } catch (SQLException | DataAccessException e) {
            report = new RefreshReport(database, clock.instant(), actor, List.of(), PgErrors.describe(e));
        }
        last.keep(mapping.name(), database, report);
        return report;
    }

    /** The last report of that database since pgferry started, or null. */
    public RefreshReport last(String mapping, String database) {
        return last.lastOrNull(mapping, database);
    }

    private ViewRefresh refresh(Connection c, String schema, String name) {
        Instant start = clock.instant();
        try (Statement s = c.createStatement()) {
            s.execute("REFRESH MATERIALIZED VIEW " + Identifiers.qualified(schema, name));
            return new ViewRefresh(schema, name, true, Duration.between(start, clock.instant()).toMillis(), null);
        } catch (SQLException e) {
            // the error id first, so that a view waiting for another can be told apart
            return new ViewRefresh(schema, name, false, 0, Objects.toString(e.getSQLState(), "?????") + ": "
                    + PgErrors.describe(e));
        }
    }
}
