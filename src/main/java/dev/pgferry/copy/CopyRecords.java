package dev.pgferry.copy;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.config.Instance;
import dev.pgferry.faults.CrashPoints;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * A snapshot copy's progress as recorded on the destination ({@code pgferry.snapshot_copy} and
 * {@code pgferry.copied_table} in its maintenance database), written as the copy goes: what a
 * resume after a restart keeps (see ../docs/copying.md). A table is recorded only after its last
 * rows committed, so a table without a record is emptied and copied again, never guessed from
 * its rows. The callers have checked that the database is pgferry's.
 */
@Component
public class CopyRecords implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CopyRecords.class);

    /** Table records are written at most this long after the table's rows or indexes are in. */
    static final long FLUSH_DELAY_MILLIS = 300;

    private final PgConnector connector;
    private final ControlSchema schema;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("copy-records").factory());

    public CopyRecords(PgConnector connector, ControlSchema schema) {
        this.connector = connector;
        this.schema = schema;
    }

    /** One recorded table: its rows' origin, rows, and whether its indexes and keys were built. */
    public record CopiedTable(String origin, Long rows, boolean indexed) {
    }

    /** The copy's record, with its tables by "schema.name" (unquoted, for lookups). */
    public record CopyRecord(long databaseOid, String slot, boolean schemaRestored, boolean restRestored,
            Map<String, CopiedTable> tables) {

        public Optional<CopiedTable> table(String schema, String name) {
            return Optional.ofNullable(tables.get(key(schema, name)));
        }
    }

    static String key(String schema, String name) {
        return schema + "\u0000" + name;
    }

    /**
     * A new copy into the database: earlier records of it go (a copy starting anew keeps nothing
     * of an older one), then its row names the database's OID and slot.
     */
    public void begin(Instance destination, String mapping, String database, String slot) throws SQLException {
        schema.ensure(destination);
        try (Connection c = maintenance(destination)) {
            c.setAutoCommit(false);
            var jdbc = Jdbc.over(c);
            jdbc.sql("DELETE FROM pgferry.snapshot_copy WHERE mapping = ? AND database = ?")
                    .params(mapping, database).update();
            jdbc.sql("INSERT INTO pgferry.snapshot_copy (mapping, database, database_oid, slot) "
                    + "SELECT ?, ?, oid, ? FROM pg_database WHERE datname = ?")
                    .params(mapping, database, slot, database).update();
            c.commit();
        }
    }

    /** The schema as of the snapshot is restored; the copy fills this many tables. */
    public void schemaRestored(Instance destination, String mapping, String database, int tables)
            throws SQLException {
        update(destination, "UPDATE pgferry.snapshot_copy SET schema_at = now(), tables = ? "
                + "WHERE mapping = ? AND database = ?", tables, mapping, database);
    }

    /** The rest of the schema (foreign keys, triggers, ...) is restored: the copy needs nothing more. */
    public void restRestored(Instance destination, String mapping, String database) throws SQLException {
        update(destination, "UPDATE pgferry.snapshot_copy SET rest_at = now() WHERE mapping = ? AND database = ?",
                mapping, database);
    }

    /**
     * A resume: {@code synced} tables (schema, name) given to table synchronization, recorded so
     * the pages can say where their rows came from; {@code kept} tables stay as copied.
     */
    public void resumed(Instance destination, String mapping, String database, int kept, List<String[]> synced)
            throws SQLException {
        try (Connection c = maintenance(destination)) {
            c.setAutoCommit(false);
            var jdbc = Jdbc.over(c);
            jdbc.sql("UPDATE pgferry.snapshot_copy SET resumed_at = now(), resumes = resumes + 1, kept = ?, "
                    + "synced = ? WHERE mapping = ? AND database = ?")
                    .params(kept, synced.size(), mapping, database).update();
            for (String[] table : synced) {
                jdbc.sql("""
                        INSERT INTO pgferry.copied_table (mapping, database, schema_name, table_name, origin, indexed_at)
                        VALUES (?, ?, ?, ?, 'table-sync', now())
                        ON CONFLICT (mapping, database, schema_name, table_name)
                        DO UPDATE SET origin = 'table-sync', rows = NULL, copied_at = now()""")
                        .params(mapping, database, table[0], table[1]).update();
            }
            c.commit();
        }
    }

    /** The copy's record, if one names this database (by name; the caller compares the OID). */
    public Optional<CopyRecord> read(Instance destination, String mapping, String database) throws SQLException {
        try (Connection c = maintenance(destination)) {
            var jdbc = Jdbc.over(c);
            if (!jdbc.sql("SELECT to_regclass('pgferry.snapshot_copy') IS NOT NULL").query(Boolean.class).single()) {
                return Optional.empty();
            }
            Map<String, CopiedTable> tables = new LinkedHashMap<>();
            jdbc.sql("SELECT schema_name, table_name, origin, rows, indexed_at IS NOT NULL AS indexed "
                    + "FROM pgferry.copied_table WHERE mapping = ? AND database = ?").params(mapping, database)
                    .query(rs -> {
                        long rows = rs.getLong("rows");
                        tables.put(key(rs.getString(1), rs.getString(2)), new CopiedTable(rs.getString("origin"),
                                rs.wasNull() ? null : rows, rs.getBoolean("indexed")));
                    });
            return jdbc.sql("SELECT database_oid::bigint, slot, schema_at IS NOT NULL, rest_at IS NOT NULL "
                    + "FROM pgferry.snapshot_copy WHERE mapping = ? AND database = ?").params(mapping, database)
                    .query((rs, n) -> new CopyRecord(rs.getLong(1), rs.getString(2), rs.getBoolean(3),
                            rs.getBoolean(4), Map.copyOf(tables))).optional();
        }
    }

    /** Table records of one copy, written in batches shortly after they happen (one round trip for many tables). */
    public Journal journal(Instance destination, String mapping, String database) {
        return new Journal(destination, mapping, database);
    }

    /**
     * Buffers a copy's table records and writes them together a moment later: a copy of
     * thousands of small tables makes one round trip per batch, not two per table. A crash
     * loses at most the last moment's records; those tables are copied again.
     */
    public final class Journal {
        private final Instance destination;
        private final String mapping;
        private final String database;
        private final List<Object[]> pending = new ArrayList<>();
        private final Object writing = new Object();
        private boolean scheduled;
        private SQLException failure;

        private Journal(Instance destination, String mapping, String database) {
            this.destination = destination;
            this.mapping = mapping;
            this.database = database;
        }

        /** All of the table's rows are in (committed). */
        public void copied(TableToCopy table, long rows) {
            add(new Object[] {table.schema(), table.name(), rows, false});
        }

        /** The table's indexes and keys are built. */
        public void indexed(TableToCopy table) {
            add(new Object[] {table.schema(), table.name(), null, true});
        }

        private synchronized void add(Object[] entry) {
            pending.add(entry);
            if (!scheduled) {
                scheduled = true;
                flusher.schedule(this::flushQuietly, FLUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        /** {@link #flush}, a failure kept for the next flush to throw and logged. */
        public void flushQuietly() {
            try {
                flush();
            } catch (SQLException e) {
                // kept for the copy to report at its end: the records are what a resume trusts
                synchronized (this) {
                    failure = e;
                }
                log.warn("mapping {} database {}: the copy's progress could not be recorded on the destination: {}",
                        mapping, database, e.getMessage());
            }
        }

        /** Writes what is pending now, batches one after another; throws if an earlier write failed. */
        public void flush() throws SQLException {
            synchronized (writing) {
                write();
            }
        }

        private void write() throws SQLException {
            List<Object[]> batch;
            synchronized (this) {
                if (failure != null) {
                    throw failure;
                }
                batch = new ArrayList<>(pending);
                pending.clear();
                scheduled = false;
            }
            if (batch.isEmpty()) {
                return;
            }
            try (Connection c = maintenance(destination)) {
                c.setAutoCommit(false);
                var jdbc = Jdbc.over(c);
                for (Object[] e : batch) {
                    if (Boolean.TRUE.equals(e[3])) {
                        jdbc.sql("UPDATE pgferry.copied_table SET indexed_at = now() WHERE mapping = ? AND database = ? "
                                + "AND schema_name = ? AND table_name = ?").params(mapping, database, e[0], e[1])
                                .update();
                    } else {
                        jdbc.sql("""
                                INSERT INTO pgferry.copied_table (mapping, database, schema_name, table_name, origin, rows)
                                VALUES (?, ?, ?, ?, 'snapshot', ?)
                                ON CONFLICT (mapping, database, schema_name, table_name)
                                DO UPDATE SET origin = 'snapshot', rows = excluded.rows, copied_at = now()""")
                                .params(mapping, database, e[0], e[1], e[2]).update();
                    }
                }
                c.commit();
            }
            if (batch.stream().anyMatch(e -> Boolean.TRUE.equals(e[3]))) {
                CrashPoints.passed("copy:recorded");
            }
        }
    }

    private void update(Instance destination, String sql, Object... params) throws SQLException {
        try (Connection c = maintenance(destination)) {
            Jdbc.over(c).sql(sql).params(params).update();
        }
    }

    private Connection maintenance(Instance destination) throws SQLException {
        return connector.act(destination, destination.maintenanceDatabase());
    }

    @Override
    public void destroy() {
        flusher.shutdownNow();
    }
}
