package dev.pgferry.schema;

import dev.pgferry.config.Mapping;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.schema.SchemaComparison.SchemaObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Compares a database's schema on both sides from the catalogs (pg_dump cannot read a newer
 * server, and both sides must be read the same way). Run on request; the last report per
 * database is kept in memory for the drill-down.
 */
@Component
public class FidelityCheck {

    private final PgConnector connector;
    private final Clock clock;
    private final Map<String, FidelityReport> lastReports = new ConcurrentHashMap<>();

    public FidelityCheck(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    public FidelityReport run(Mapping mapping, String database) {
        FidelityReport report;
        try {
            List<SchemaObject> source = read(mapping.source(), database);
            List<SchemaObject> destination = read(mapping.destination(), database);
            report = new FidelityReport(database, clock.instant(), source.size(), destination.size(),
                    SchemaComparison.compare(source, destination), null);
        } catch (SQLException | DataAccessException e) {
            report = FidelityReport.failed(database, clock.instant(), PgErrors.describe(e));
        }
        lastReports.put(mapping.name() + "/" + database, report);
        return report;
    }

    /** When a database's schema was last compared in full, and how often each side's catalogs had been written then. */
    private record Compared(String catalogWrites, Instant at) {
    }

    private final Map<String, Compared> compared = new ConcurrentHashMap<>();

    /**
     * The drift guard's check: compares the schema again only when the catalogs of either side
     * were written to since the last full comparison (any DDL writes them), or when that is older
     * than {@code fullEvery}; otherwise the last identical report stands, renewed as of now.
     * Counting the writes costs each server a few microseconds; comparing, a complex query.
     */
    public FidelityReport runIfChanged(Mapping mapping, String database, Duration fullEvery) {
        String key = mapping.name() + "/" + database;
        FidelityReport last = lastReports.get(key);
        Compared before = compared.get(key);
        Instant now = clock.instant();
        String writes;
        try {
            writes = catalogWrites(mapping.source(), database) + "|" + catalogWrites(mapping.destination(), database);
        } catch (SQLException | DataAccessException e) {
            FidelityReport failed = FidelityReport.failed(database, now, PgErrors.describe(e));
            lastReports.put(key, failed);
            return failed;
        }
        if (last != null && last.identical() && before != null && before.catalogWrites().equals(writes)
                && before.at().plus(fullEvery).isAfter(now)) {
            FidelityReport renewed = new FidelityReport(database, now, last.sourceObjects(), last.destinationObjects(),
                    List.of(), null);
            lastReports.put(key, renewed);
            return renewed;
        }
        FidelityReport report = run(mapping, database);
        compared.put(key, new Compared(writes, now));
        return report;
    }

    private String catalogWrites(dev.pgferry.config.Instance instance, String database) throws SQLException {
        try (Connection c = connector.observe(instance, database)) {
            return Jdbc.over(c).sql(FingerprintQuery.CATALOG_WRITES).query(String.class).single();
        }
    }

    /** The last report for that database, or null when none was run since start-up. */
    public FidelityReport last(String mapping, String database) {
        return lastReports.get(mapping + "/" + database);
    }

    private List<SchemaObject> read(dev.pgferry.config.Instance instance, String database) throws SQLException {
        try (Connection c = connector.observe(instance, database)) {
            return Jdbc.over(c).sql(FingerprintQuery.SQL)
                    .query((rs, n) -> new SchemaObject(rs.getString("kind"), rs.getString("name"),
                            rs.getString("detail"))).list();
        }
    }
}
