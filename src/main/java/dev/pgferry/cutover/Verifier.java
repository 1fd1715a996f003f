package dev.pgferry.cutover;

import dev.pgferry.reports.LastReports;
import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.monitor.ExactCounter.TableName;
import dev.pgferry.pg.Identifiers;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Verifies a database at cutover: every table's rows counted and checksummed on both sides, in
 * chunks of its primary key (keyset ranges read from the source), so memory stays bounded and
 * progress shows; the first key range that differs is reported. A chunk's checksum is the count
 * and the sum of a 64-bit hash of each row's text, order-independent, computed by the servers;
 * both sessions use the same text settings (time zone, date, float and bytea output).
 * One verification runs at a time in all of pgferry, one query at a time, without parallel workers.
 */
@Component
public class Verifier implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Verifier.class);
    private static final List<String> SAME_TEXT = List.of("SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'", "SET extra_float_digits = 1", "SET bytea_output = 'hex'",
            "SET max_parallel_workers_per_gather = 0");
    static final String PRIMARY_KEY = """
            SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type
            FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = ?::regclass AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)""";

    private final PgConnector connector;
    private final ControlRecords records;
    private final Clock clock;
    private final int chunkRows;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("verify").daemon().factory());
    private final LastReports<VerifyReport> reports = new LastReports<>();

    public Verifier(PgConnector connector, ControlRecords records, Clock clock, PgferryConfig config) {
        this.connector = connector;
        this.records = records;
        this.clock = clock;
        this.chunkRows = config.verifyChunkRows();
    }

    /** One table: rows on each side, chunks compared, and the first key range that differs (null when equal). */
    public record TableVerification(String schema, String name, long sourceRows, long destinationRows, int chunks,
            String firstDifference) {

        public boolean equal() {
            return firstDifference == null && sourceRows == destinationRows;
        }
    }

    /** A verification, as far as it has got; finishedAt is null while it runs. */
    public record VerifyReport(String database, String actor, Instant requestedAt, Instant finishedAt,
            int tablesTotal, List<TableVerification> tables, String error) {

        public VerifyReport {
            tables = List.copyOf(tables);
        }

        public boolean running() {
            return finishedAt == null;
        }

        public long tablesDiffering() {
            return tables.stream().filter(t -> !t.equal()).count();
        }

        public boolean allEqual() {
            return !running() && error == null && tables.size() == tablesTotal && tablesDiffering() == 0;
        }
    }

    /** Queues a verification of one database; false when one is already queued or running for it. */
    public boolean request(Mapping mapping, String database, List<TableName> tables, String actor) {
        VerifyReport queued = new VerifyReport(database, actor, clock.instant(), null, tables.size(), List.of(), null);
        VerifyReport before = reports.update(mapping.name(), database, current -> current != null && current.running()
                ? current : queued);
        if (before != queued) {
            return false;
        }
        worker.submit(() -> verify(mapping, database, tables, queued));
        return true;
    }

    public Optional<VerifyReport> last(String mapping, String database) {
        return reports.last(mapping, database);
    }

    /**
     * Verifies one database now, in the calling thread (a rollback's step, beside the loop), and
     * keeps the report like a requested verification's.
     */
    public VerifyReport verifyNow(Mapping mapping, String database, List<TableName> tables, String actor) {
        VerifyReport started = new VerifyReport(database, actor, clock.instant(), null, tables.size(), List.of(),
                null);
        reports.keep(mapping.name(), database, started);
        return verify(mapping, database, tables, started);
    }

    private VerifyReport verify(Mapping mapping, String database, List<TableName> tables, VerifyReport queued) {
        List<TableVerification> done = new ArrayList<>();
        String error = null;
        // a table's checksums may take up to an hour (a full scan of a large table)
        try (Connection source = connector.act(mapping.source(), database, java.time.Duration.ofHours(1));
                Connection destination = connector.act(mapping.destination(), database,
                        java.time.Duration.ofHours(1))) {
            sameText(source);
            sameText(destination);
            for (TableName table : tables) {
                done.add(table(source, destination, table));
                reports.keep(mapping.name(), database, new VerifyReport(database, queued.actor(), queued.requestedAt(), null,
                        tables.size(), done, null));
            }
        } catch (SQLException | RuntimeException e) {
            error = PgErrors.describe(e);
            log.warn("mapping {} database {}: verification failed: {}", mapping.name(), database, error);
        }
        VerifyReport report = new VerifyReport(database, queued.actor(), queued.requestedAt(), clock.instant(),
                tables.size(), done, error);
        reports.keep(mapping.name(), database, report);
        records.auditAfterwards(mapping.destination(), queued.actor(), "verify", mapping.name(), database, error != null
                    ? "failed: " + error : report.allEqual() ? "all " + done.size() + " table(s) equal"
                    : report.tablesDiffering() + " of " + done.size() + " table(s) differ: " + done.stream()
                            .filter(t -> !t.equal()).map(t -> t.schema() + "." + t.name())
                            .collect(Collectors.joining(", ")));
        return report;
    }

    private TableVerification table(Connection source, Connection destination, TableName table) throws SQLException {
        String relation = Identifiers.qualified(table.schema(), table.name());
        List<String[]> key = primaryKey(source, relation);
        if (key.isEmpty()) {
            // no key to cut ranges by: the whole table at once (the aggregate's memory is constant)
            long[] mine = new long[1];
            String[] sums = new String[2];
            long[] theirs = new long[1];
            sums[0] = checksum(source, relation, "", List.of(), mine);
            sums[1] = checksum(destination, relation, "", List.of(), theirs);
            return new TableVerification(table.schema(), table.name(), mine[0], theirs[0], 1,
                    sums[0].equals(sums[1]) && mine[0] == theirs[0] ? null : "the whole table (it has no primary key)");
        }
        String columns = key.stream().map(k -> Identifiers.quote(k[0])).collect(Collectors.joining(", "));
        String tuple = "(" + columns + ")";
        String params = key.stream().map(k -> "?::" + k[1]).collect(Collectors.joining(", ", "(", ")"));
        // aliased: an output column named like the key would make ORDER BY sort by its text
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            texts.add(Identifiers.quote(key.get(i)[0]) + "::text AS pgferry_key_" + i);
        }
        String asText = String.join(", ", texts);
        long sourceRows = 0;
        long destinationRows = 0;
        int chunks = 0;
        String firstDifference = null;
        List<String> lower = null;
        while (true) {
            List<String> upper = upperBound(source, relation, asText, tuple, params, columns, lower, key.size());
            StringBuilder where = new StringBuilder();
            List<String> values = new ArrayList<>();
            if (lower != null) {
                where.append(tuple).append(" > ").append(params);
                values.addAll(lower);
            }
            if (upper != null) {
                where.append(where.isEmpty() ? "" : " AND ").append(tuple).append(" <= ").append(params);
                values.addAll(upper);
            }
            long[] mine = new long[1];
            long[] theirs = new long[1];
            String sum = checksum(source, relation, where.toString(), values, mine);
            String other = checksum(destination, relation, where.toString(), values, theirs);
            sourceRows += mine[0];
            destinationRows += theirs[0];
            chunks++;
            if (firstDifference == null && (mine[0] != theirs[0] || !sum.equals(other))) {
                firstDifference = "keys " + tuple + (lower == null ? "" : " > (" + String.join(", ", lower) + ")")
                        + (upper == null ? "" : (lower == null ? " <= (" : " and <= (") + String.join(", ", upper)
                        + ")") + ": " + mine[0] + " row(s) on the source, " + theirs[0] + " on the destination";
            }
            if (upper == null) {
                return new TableVerification(table.schema(), table.name(), sourceRows, destinationRows, chunks,
                        firstDifference);
            }
            lower = upper;
        }
    }

    /** The key of the chunk's last row on the source, or null when fewer rows than a chunk remain. */
    private List<String> upperBound(Connection source, String relation, String asText, String tuple, String params,
            String columns, List<String> lower, int width) throws SQLException {
        String sql = "SELECT " + asText + " FROM " + relation + (lower == null ? "" : " WHERE " + tuple + " > " + params)
                + " ORDER BY " + columns + " LIMIT 1 OFFSET " + (chunkRows - 1);
        try (PreparedStatement s = source.prepareStatement(sql)) {
            bind(s, lower == null ? List.of() : lower);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= width; i++) {
                    values.add(rs.getString(i));
                }
                return values;
            }
        }
    }

    /** Rows and the sum of their hashes (as text: numeric) in one key range. */
    private static String checksum(Connection c, String relation, String where, List<String> values, long[] rows)
            throws SQLException {
        String sql = "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM "
                + relation + " t" + (where.isEmpty() ? "" : " WHERE " + where);
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, values);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                rows[0] = rs.getLong(1);
                return rs.getString(2);
            }
        }
    }

    private static List<String[]> primaryKey(Connection c, String relation) throws SQLException {
        List<String[]> key = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(PRIMARY_KEY)) {
            s.setString(1, relation);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    key.add(new String[] {rs.getString("name"), rs.getString("type")});
                }
            }
        }
        return key;
    }

    private static void bind(PreparedStatement s, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            s.setString(i + 1, values.get(i));
        }
    }

    private static void sameText(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String setting : SAME_TEXT) {
                s.execute(setting);
            }
        }
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
