package dev.pgferry.copy;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Mapping;
import dev.pgferry.copy.CopyChunks.Chunk;
import dev.pgferry.copy.SnapshotProgress.Stage;
import dev.pgferry.faults.CrashPoints;
import dev.pgferry.largeobjects.LargeObjectSync;
import dev.pgferry.ownership.OwnershipRecords;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgDumpRunner;
import dev.pgferry.pg.PgToolException;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.ReplicationObjects;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * The snapshot copy of one database (see ../docs/copying.md): a logical slot created with an
 * exported snapshot; the schema as of that snapshot without its indexes; every table copied by
 * parallel workers that import the snapshot (binary COPY where safe, large tables in ranges of
 * pages); each table's indexes and keys built as soon as its rows are in; the rest of the schema;
 * then a subscription on the slot that copies nothing and streams from the slot's consistent
 * point. Nothing is subscribed unless everything before succeeded. As it goes, the copy records
 * on the destination what a resume needs ({@link CopyRecords}): an interrupted copy is found by
 * the planner (tables without a subscription) and resumed ({@link CopyResume}) or, when its
 * records do not allow that, started over from scratch.
 */
@Component
public class SnapshotCopy {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SnapshotCopy.class);

    private static final int BUFFER_BYTES = 256 * 1024;

    static final String TABLES = """
            WITH published AS (
                SELECT pr.prrelid FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                WHERE p.pubname = ?)
            SELECT c.oid::bigint AS oid, n.nspname::text AS schema, c.relname::text AS name,
                   pg_relation_size(c.oid) AS bytes,
                   pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages,
                   pg_indexes_size(c.oid) AS index_bytes,
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                           JOIN pg_am am ON am.oid = ic.relam
                           WHERE i.indrelid = c.oid AND am.amname IN ('gin', 'gist', 'spgist')) AS costly,
                   ARRAY(SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid
                         AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum) AS columns,
                   NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                         AND NOT a.attisdropped AND a.attgenerated = '' AND a.atttypid >= 16384) AS binary
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND c.relpersistence = 'p'
              AND (c.oid IN (SELECT prrelid FROM published)
                   OR pg_partition_root(c.oid) IN (SELECT prrelid FROM published))""";

    private final PgConnector connector;
    private final PgDumpRunner pgDump;
    private final ReplicationObjects replication;
    private final SourceLimits limits;
    private final OwnershipRecords ownership;
    private final CopyRecords records;

    public SnapshotCopy(PgConnector connector, PgDumpRunner pgDump, ReplicationObjects replication,
            SourceLimits limits, OwnershipRecords ownership, CopyRecords records) {
        this.ownership = ownership;
        this.records = records;
        this.connector = connector;
        this.pgDump = pgDump;
        this.replication = replication;
        this.limits = limits;
    }

    /** The open connections of a running copy, closed at once when it is cancelled. */
    public static final class Sessions {
        private final Set<Connection> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean cancelled;

        Connection add(Connection c) throws SQLException {
            if (cancelled) {
                c.close();
                throw new SQLException("the copy was cancelled", "57014");
            }
            open.add(c);
            return c;
        }

        void closed(Connection c) {
            open.remove(c);
        }

        boolean cancelled() {
            return cancelled;
        }

        /** Ends every session of the copy: the servers abort its statements and roll back. */
        public void cancel() {
            cancelled = true;
            for (Connection c : open) {
                try {
                    c.abort(Runnable::run);
                } catch (SQLException | RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    public void run(Mapping mapping, String database, List<String> filter, SnapshotProgress progress, Sessions sessions)
            throws ActionException {
        ReplicationNames names = ReplicationNames.of(mapping.name(), database);
        // the copy truncates and loads tables: only into a database pgferry recorded as its own
        ownership.requireOwned(mapping.destination(), mapping.name(), database, "snapshot copy into " + database);
        Path archive = null;
        try {
            archive = Files.createTempFile("pgferry-snapshot-", ".dump");
            try (Connection exporter = sessions.add(connector.replication(mapping.source(), database))) {
                String snapshot = createSlot(exporter, names.slot());
                records.begin(mapping.destination(), mapping.name(), database, names.slot());
                progress.stage(Stage.SCHEMA);
                CrashPoints.passed("copy:SCHEMA");
                pgDump.dumpSchema(mapping.source(), database, filter, archive, snapshot);
                pgDump.restoreSection(mapping.destination(), database, archive, "pre-data", Map.of());
                Catalog catalog = readCatalog(mapping, database, snapshot, names.publication(), sessions);
                records.schemaRestored(mapping.destination(), mapping.name(), database, catalog.tables.size());
                TocEntries.Split split = TocEntries.split(pgDump.contents(archive, "post-data"), catalog.indexTables,
                        catalog.constraintTables, catalog.tables.stream().map(TableToCopy::oid)
                                .collect(Collectors.toSet()));
                int workers = limits.workers(mapping.source().name());
                List<Chunk> chunks = CopyChunks.of(catalog.tables, workers);
                progress.planned(chunks);
                progress.stage(Stage.COPYING);
                copyAndBuild(mapping, database, snapshot, chunks, split, archive, workers, progress, sessions);
                progress.stage(Stage.FINISHING);
                copyLargeObjects(mapping, database, snapshot, sessions);
                restoreListed(mapping, database, archive, split.rest().stream()
                        .filter(line -> !dev.pgferry.pg.CaptureObjects.isTocEntry(line)).toList());
                records.restRestored(mapping.destination(), mapping.name(), database);
                sessions.closed(exporter);
            }
            progress.stage(Stage.SUBSCRIBING);
            CrashPoints.passed("copy:SUBSCRIBING");
            replication.createSubscriptionOnSlot(mapping, database, names);
        } catch (SQLException e) {
            throw ActionException.from("snapshot copy of " + database, e);
        } catch (PgToolException e) {
            throw new ActionException("snapshot copy of " + database + ": " + e.getMessage(), false);
        } catch (IOException e) {
            throw new ActionException("snapshot copy of " + database + ": " + e.getMessage(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionException("snapshot copy of " + database + " was cancelled", true);
        } finally {
            if (archive != null) {
                archive.toFile().delete();
            }
        }
    }

    /**
     * The large objects as of the snapshot, with their owners and rights (logical replication does
     * not carry them; the cutover step sync-large-objects brings what changed since).
     */
    private void copyLargeObjects(Mapping mapping, String database, String snapshot, Sessions sessions)
            throws SQLException {
        Connection source = snapshotSession(mapping, database, snapshot, sessions);
        try (source; Connection destination = sessions.add(connector.bulk(mapping.destination(), database))) {
            LargeObjectSync.Outcome outcome = LargeObjectSync.sync(source, destination);
            source.commit();
            sessions.closed(destination);
            if (outcome.objects() > 0) {
                log.info("mapping {} database {}: {} large object(s) copied from the snapshot, {} bytes",
                        mapping.name(), database, outcome.copied(), outcome.bytes());
            }
        } finally {
            sessions.closed(source);
        }
    }

    /** CREATE_REPLICATION_SLOT with an exported snapshot; afterwards the connection must stay idle. */
    private static String createSlot(Connection exporter, String slot) throws SQLException {
        try (Statement s = exporter.createStatement();
                ResultSet rs = s.executeQuery("CREATE_REPLICATION_SLOT " + quote(slot)
                        + " LOGICAL pgoutput (SNAPSHOT 'export')")) {
            rs.next();
            return rs.getString("snapshot_name");
        }
    }

    /** A source session in a repeatable-read transaction that sees exactly the exported snapshot. */
    private Connection snapshotSession(Mapping mapping, String database, String snapshot, Sessions sessions)
            throws SQLException {
        Connection c = sessions.add(connector.bulk(mapping.source(), database));
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            s.execute("SET TRANSACTION SNAPSHOT " + literal(snapshot));
        }
        return c;
    }

    private record Catalog(List<TableToCopy> tables, Map<Long, Long> indexTables, Map<Long, Long> constraintTables) {
    }

    private Catalog readCatalog(Mapping mapping, String database, String snapshot, String publication,
            Sessions sessions) throws SQLException {
        Connection c = snapshotSession(mapping, database, snapshot, sessions);
        try (c) {
            var jdbc = Jdbc.over(c);
            List<TableToCopy> tables = jdbc.sql(TABLES).param(publication).query((rs, n) -> new TableToCopy(
                    rs.getLong("oid"), rs.getString("schema"), rs.getString("name"), rs.getLong("bytes"),
                    rs.getLong("pages"), rs.getLong("index_bytes"), rs.getBoolean("costly"),
                    Arrays.asList((String[]) rs.getArray("columns").getArray()), rs.getBoolean("binary"))).list();
            Map<Long, Long> indexes = new HashMap<>();
            Map<Long, Long> constraints = new HashMap<>();
            readOwners(jdbc, indexes, constraints);
            c.commit();
            return new Catalog(tables, indexes, constraints);
        } finally {
            sessions.closed(c);
        }
    }

    /** Each index's table and each table constraint's table, by oid (to split the post-data by table). */
    static void readOwners(org.springframework.jdbc.core.simple.JdbcClient jdbc, Map<Long, Long> indexes,
            Map<Long, Long> constraints) {
        jdbc.sql("SELECT indexrelid::bigint, indrelid::bigint FROM pg_index").query(rs -> {
            indexes.put(rs.getLong(1), rs.getLong(2));
        });
        jdbc.sql("SELECT oid::bigint, conrelid::bigint FROM pg_constraint WHERE conrelid <> 0").query(rs -> {
            constraints.put(rs.getLong(1), rs.getLong(2));
        });
    }

    /**
     * The copy workers take chunks in order; when a table's last chunk is in, its indexes and
     * keys are built by the build pool while the copy goes on. Any failure cancels the rest.
     */
    private void copyAndBuild(Mapping mapping, String database, String snapshot, List<Chunk> chunks,
            TocEntries.Split split, Path archive, int workers, SnapshotProgress progress, Sessions sessions)
            throws SQLException, PgToolException, IOException, InterruptedException {
        ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>(chunks);
        WorkSlots slots = new WorkSlots(workers);
        // the pools' threads log about this mapping and database too
        Map<String, String> logContext = Objects.requireNonNullElse(MDC.getCopyOfContextMap(), Map.of());
        ExecutorService copiers = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon()
                .name("copy-" + database + "-", 0).factory());
        ExecutorService builders = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon()
                .name("build-" + database + "-", 0).factory());
        List<Future<?>> builds = java.util.Collections.synchronizedList(new ArrayList<>());
        CopyRecords.Journal journal = records.journal(mapping.destination(), mapping.name(), database);
        BuildBatches batches = new BuildBatches();
        java.util.function.Consumer<List<TableToCopy>> build = tables -> {
            if (tables.isEmpty()) {
                return;
            }
            builds.add(builders.submit(() -> {
                MDC.setContextMap(logContext);
                slots.acquireForBuild();
                int parallel = slots.takeSpare(queue.isEmpty());
                try {
                    restoreListed(mapping, database, archive, tables.stream()
                            .flatMap(t -> split.perTable().getOrDefault(t.oid(), List.of()).stream()).toList(),
                            parallel);
                } finally {
                    slots.release(1 + parallel);
                }
                for (TableToCopy table : tables) {
                    progress.indexed(table.oid());
                    journal.indexed(table);
                }
                CrashPoints.passed("copy:indexed");
                return null;
            }));
        };
        try {
            List<Future<?>> copies = new ArrayList<>();
            for (int i = 0; i < Math.min(workers, chunks.size()); i++) {
                copies.add(copiers.submit(() -> {
                    MDC.setContextMap(logContext);
                    copyChunks(mapping, database, snapshot, queue, slots, progress, sessions, table -> {
                        journal.copied(table, progress.rows(table.oid()));
                        build.accept(batches.copied(table, queue.isEmpty()));
                    });
                    return null;
                }));
            }
            await(copies);
            build.accept(batches.rest());
            await(builds);
            journal.flush();
        } finally {
            // what finished before a failure or a cancel is recorded: a resume keeps it
            journal.flushQuietly();
            copiers.shutdownNow();
            builders.shutdownNow();
        }
    }

    private static void await(List<Future<?>> futures)
            throws SQLException, PgToolException, IOException, InterruptedException {
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                futures.forEach(f -> f.cancel(true));
                switch (cause) {
                    case SQLException s -> throw s;
                    case PgToolException p -> throw p;
                    case IOException io -> throw io;
                    case InterruptedException ie -> throw ie;
                    default -> throw new IllegalStateException(cause);
                }
            }
        }
    }

    /** Session settings for the index builds: a bulk build wants memory, and its own share of the cores. */
    static Map<String, String> buildSettings(Mapping mapping, int parallelWorkers) {
        return Map.of("maintenance_work_mem", mapping.copyLimits().maintenanceWorkMem(),
                "max_parallel_maintenance_workers", Integer.toString(parallelWorkers), "synchronous_commit", "off");
    }

    /**
     * One worker: one snapshot session on the source, one session on the destination, chunk after
     * chunk, each in a slot of its own (a build waiting for one goes first).
     */
    private void copyChunks(Mapping mapping, String database, String snapshot, ConcurrentLinkedQueue<Chunk> queue,
            WorkSlots slots, SnapshotProgress progress, Sessions sessions,
            java.util.function.Consumer<TableToCopy> tableDone) throws SQLException, InterruptedException {
        Chunk chunk = nextChunk(slots, queue);
        if (chunk == null) {
            return;
        }
        String instance = mapping.source().name();
        Connection source;
        Connection destination;
        try {
            source = snapshotSession(mapping, database, snapshot, sessions);
            destination = sessions.add(connector.bulk(mapping.destination(), database));
        } catch (SQLException | RuntimeException e) {
            slots.release(1);
            throw e;
        }
        try (source; destination) {
            try (Statement s = destination.createStatement()) {
                s.execute("SET synchronous_commit = off");
            }
            var in = destination.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            var out = source.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            boolean freeze = true;
            while (chunk != null) {
                try {
                    limits.workerPermits(instance).acquirePermission();
                } catch (BulkheadFullException e) {
                    slots.release(1);
                    throw new InterruptedException("no copy worker free on " + instance + ": " + e.getMessage());
                }
                try {
                    long rows;
                    if (chunk.whole() && freeze) {
                        // a whole table: emptied and loaded in one transaction, its rows are written frozen
                        // (COPY FREEZE), so the index builds and the first readers do not rewrite every page
                        // to set hint bits (with data checksums, each one a full-page image in the WAL)
                        destination.setAutoCommit(false);
                        try (Statement s = destination.createStatement()) {
                            s.execute("TRUNCATE ONLY " + chunk.table().qualifiedName());
                            rows = copy(chunk, out, in, limits.rate(instance), progress, true);
                            destination.commit();
                        } catch (SQLException e) {
                            destination.rollback();
                            if (!"42501".equals(e.getSQLState())) {
                                throw e;
                            }
                            // no TRUNCATE privilege on the destination: plain COPY from now on
                            freeze = false;
                            destination.setAutoCommit(true);
                            rows = copy(chunk, out, in, limits.rate(instance), progress, false);
                        } finally {
                            destination.setAutoCommit(true);
                        }
                    } else {
                        rows = copy(chunk, out, in, limits.rate(instance), progress, false);
                    }
                    if (progress.chunkDone(chunk.table().oid(), rows)) {
                        tableDone.accept(chunk.table());
                    }
                } finally {
                    limits.workerPermits(instance).onComplete();
                    slots.release(1);
                }
                chunk = nextChunk(slots, queue);
            }
            source.commit();
        } finally {
            sessions.closed(source);
            sessions.closed(destination);
        }
    }

    /**
     * The next chunk with a slot held for it, or null (and no slot held) when none is left. The
     * slot comes first: a chunk taken from the queue is never left waiting behind a build that saw
     * the queue empty and took the idle slots as parallel workers.
     */
    private static Chunk nextChunk(WorkSlots slots, ConcurrentLinkedQueue<Chunk> queue) throws InterruptedException {
        slots.acquireForChunk();
        Chunk chunk = queue.poll();
        if (chunk == null) {
            slots.release(1);
        }
        return chunk;
    }

    private static long copy(Chunk chunk, org.postgresql.copy.CopyManager out, org.postgresql.copy.CopyManager in,
            SourceLimits.ByteRate rate, SnapshotProgress progress, boolean freeze)
            throws SQLException, InterruptedException {
        TableToCopy table = chunk.table();
        String columns = String.join(", ", table.columns());
        String list = columns.isEmpty() ? "" : " (" + columns + ")";
        String format = table.binary() ? "FORMAT binary" : "FORMAT text";
        // a whole table straight (COPY of a table leaves out inheritance children's rows), a range by a query
        String source = chunk.whole() ? "COPY " + table.qualifiedName() + list
                : "COPY (SELECT " + columns + " FROM ONLY " + table.qualifiedName() + chunk.where() + ")";
        var copyOut = out.copyOut(source + " TO STDOUT WITH (" + format + ")");
        var copyIn = in.copyIn("COPY " + table.qualifiedName() + list + " FROM STDIN WITH (" + format
                + (freeze ? ", FREEZE" : "") + ")");
        try {
            byte[] buffer = new byte[BUFFER_BYTES];
            int length = 0;
            byte[] row;
            while ((row = copyOut.readFromCopy()) != null) {
                if (length + row.length > buffer.length) {
                    send(copyIn, buffer, length, rate, progress, table.oid());
                    length = 0;
                }
                if (row.length > buffer.length) {
                    send(copyIn, row, row.length, rate, progress, table.oid());
                } else {
                    System.arraycopy(row, 0, buffer, length, row.length);
                    length += row.length;
                }
            }
            send(copyIn, buffer, length, rate, progress, table.oid());
            return copyIn.endCopy();
        } finally {
            if (copyIn.isActive()) {
                copyIn.cancelCopy();
            }
            if (copyOut.isActive()) {
                copyOut.cancelCopy();
            }
        }
    }

    private static void send(org.postgresql.copy.CopyIn copyIn, byte[] bytes, int length, SourceLimits.ByteRate rate,
            SnapshotProgress progress, long table) throws SQLException, InterruptedException {
        if (length == 0) {
            return;
        }
        rate.acquire(length);
        copyIn.writeToCopy(bytes, 0, length);
        progress.copied(table, length);
    }

    /** Restores the listed entries of the archive in one transaction (nothing when the list is empty). */
    void restoreListed(Mapping mapping, String database, Path archive, List<String> entries)
            throws PgToolException, IOException {
        restoreListed(mapping, database, archive, entries, 0);
    }

    /**
     * The same, for index builds: with the mapping's maintenance_work_mem and as many parallel
     * maintenance workers as the copy can spare (0 while chunks are still copied: PostgreSQL's
     * default of 2 would put three processes of one build on cores the copy streams use).
     */
    void restoreListed(Mapping mapping, String database, Path archive, List<String> entries, int parallelWorkers)
            throws PgToolException, IOException {
        if (entries.isEmpty()) {
            return;
        }
        Path list = Files.createTempFile("pgferry-list-", ".txt");
        try {
            Files.write(list, entries);
            pgDump.restoreListed(mapping.destination(), database, archive, list,
                    buildSettings(mapping, parallelWorkers));
        } finally {
            list.toFile().delete();
        }
    }
}
