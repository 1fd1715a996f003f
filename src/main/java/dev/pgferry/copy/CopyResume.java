package dev.pgferry.copy;

import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Mapping;
import dev.pgferry.copy.CopyRecords.CopyRecord;
import dev.pgferry.faults.CrashPoints;
import dev.pgferry.ownership.OwnershipRecords;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgDumpRunner;
import dev.pgferry.pg.PgToolException;
import dev.pgferry.replication.PublishedTable;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.ReplicationObjects;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Resumes an interrupted snapshot copy (see ../docs/copying.md): the exported snapshot died with
 * the session that exported it, so the tables the copy finished (recorded on the destination)
 * are kept and subscribed on the copy's slot, which streams their changes from the snapshot's
 * consistent point; every other table is emptied and given to PostgreSQL's own table
 * synchronization, which copies it from a snapshot of its own and catches it up. Once every
 * table is synchronized, the rest of the schema (foreign keys, triggers, ...) is restored.
 *
 * <p>Idempotent, and safe to stop at any step: a table is emptied only while nothing subscribes
 * to it, and the next run takes up from what the servers and the records show. Schema steps on
 * tables the subscription writes run while its workers are paused.
 */
@Component
public class CopyResume {

    private static final Logger log = LoggerFactory.getLogger(CopyResume.class);

    /** The tables the copy fills, with the published table (a partitioned root, or itself) each belongs to. */
    static final String LEAVES = """
            WITH members AS (
                SELECT m.schema, m.name, to_regclass(quote_ident(m.schema) || '.' || quote_ident(m.name)) AS oid
                FROM unnest(?::text[], ?::text[]) AS m(schema, name))
            SELECT m.schema AS member_schema, m.name AS member_name, c.oid::bigint AS oid,
                   n.nspname::text AS schema, c.relname::text AS name
            FROM members m
            JOIN pg_class c ON c.oid = m.oid OR (c.relispartition AND pg_partition_root(c.oid) = m.oid)
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND c.relpersistence = 'p'""";

    /** Tables of the database on the destination that have at least one index. */
    static final String INDEXED = """
            SELECT DISTINCT n.nspname::text, c.relname::text
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace""";

    /** The published tables the subscription has, with their table-synchronization states. */
    static final String SUBSCRIBED = """
            SELECT n.nspname::text, c.relname::text, r.srsubstate::text
            FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid
            JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE s.subname = ? AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())""";

    static final String SUBSCRIPTION_EXISTS = "SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = ? AND "
            + "subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))";

    static final String PUBLISHED = """
            SELECT n.nspname::text, c.relname::text
            FROM pg_publication p JOIN pg_publication_rel pr ON pr.prpubid = p.oid
            JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE p.pubname = ?""";

    private final PgConnector connector;
    private final PgDumpRunner pgDump;
    private final ReplicationObjects replication;
    private final CopyRecords records;
    private final SnapshotCopy copy;

    public CopyResume(PgConnector connector, PgDumpRunner pgDump, ReplicationObjects replication,
            CopyRecords records, SnapshotCopy copy) {
        this.connector = connector;
        this.pgDump = pgDump;
        this.replication = replication;
        this.records = records;
        this.copy = copy;
    }

    /**
     * The large objects as they are now (the snapshot died with the interrupted copy; they are not
     * streamed either way, and the cutover step brings what changes later): only what differs from
     * what the interrupted copy left is copied.
     */
    private void syncLargeObjects(Mapping mapping, String database, SnapshotCopy.Sessions sessions)
            throws SQLException {
        Connection source = sessions.add(connector.bulk(mapping.source(), database));
        try (source; Connection destination = sessions.add(connector.bulk(mapping.destination(), database))) {
            source.setAutoCommit(false);
            try (java.sql.Statement s = source.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            var outcome = dev.pgferry.largeobjects.LargeObjectSync.sync(source, destination);
            source.commit();
            sessions.closed(destination);
            if (outcome.copied() + outcome.removed() > 0) {
                log.info("mapping {} database {}: large objects brought up to date on resume: {}", mapping.name(),
                        database, outcome);
            }
        } finally {
            sessions.closed(source);
        }
    }

    /** One table the copy fills, and the published table it belongs to. */
    record Leaf(PublishedTable member, long sourceOid, String schema, String name) {
        String qualified() {
            return quote(schema) + "." + quote(name);
        }
    }

    /**
     * {@code tables}: every table the publication is to have (the planner's list, not the
     * publication's members now: a resume stopped after narrowing the publication must not lose
     * the tables it left out).
     */
    public void run(Mapping mapping, String database, List<PublishedTable> tables, List<String> filter,
            SnapshotProgress progress, SnapshotCopy.Sessions sessions) throws ActionException {
        ReplicationNames names = ReplicationNames.of(mapping.name(), database);
        String what = "resume the snapshot copy of " + database;
        try {
            CopyRecord record = trustedRecord(mapping, database, what);
            progress.stage(SnapshotProgress.Stage.RESUMING);
            List<Leaf> leaves = leaves(mapping, database, tables);
            Map<PublishedTable, String> subscribed = subscribed(mapping, database, names.subscription());
            boolean subscriptionExists = subscribed != null;
            Set<PublishedTable> unfinished = new java.util.LinkedHashSet<>();
            for (Leaf leaf : leaves) {
                boolean copied = record.table(leaf.schema(), leaf.name()).map(t -> "snapshot".equals(t.origin()))
                        .orElse(false);
                if (!copied && (subscribed == null || !subscribed.containsKey(leaf.member()))) {
                    unfinished.add(leaf.member());
                }
            }
            List<Leaf> toSync = leaves.stream().filter(l -> unfinished.contains(l.member())).toList();
            goOn(sessions, what);
            emptyTables(mapping, database, toSync);
            goOn(sessions, what);
            buildMissingIndexes(mapping, database, filter, record, leaves);
            goOn(sessions, what);
            syncLargeObjects(mapping, database, sessions);
            CrashPoints.passed("resume:TRUNCATED");
            goOn(sessions, what);
            if (!subscriptionExists) {
                List<PublishedTable> kept = tables.stream().filter(t -> !unfinished.contains(t)).toList();
                narrowPublication(mapping, database, names.publication(), kept);
                progress.stage(SnapshotProgress.Stage.SUBSCRIBING);
                CrashPoints.passed("copy:SUBSCRIBING");
                replication.createSubscriptionOnSlot(mapping, database, names);
                CrashPoints.passed("resume:SUBSCRIBED");
            }
            if (!unfinished.isEmpty()) {
                goOn(sessions, what);
                records.resumed(mapping.destination(), mapping.name(), database, leaves.size() - toSync.size(),
                        toSync.stream().map(l -> new String[] {l.schema(), l.name()}).toList());
                synchronize(mapping, database, names, unfinished);
                CrashPoints.passed("resume:REFRESHED");
                log.info("mapping {} database {}: snapshot copy resumed: {} of {} tables kept, {} given to table "
                        + "synchronization", mapping.name(), database, leaves.size() - toSync.size(), leaves.size(),
                        toSync.size());
                return;
            }
            if (!record.restRestored() && synchronizedAll(subscribed)) {
                goOn(sessions, what);
                restoreRest(mapping, database, filter, tables);
                records.restRestored(mapping.destination(), mapping.name(), database);
                log.info("mapping {} database {}: resumed copy finished: the rest of the schema restored",
                        mapping.name(), database);
            }
        } catch (SQLException e) {
            throw ActionException.from(what, e);
        } catch (PgToolException e) {
            throw new ActionException(what + ": " + e.getMessage(), false);
        } catch (IOException e) {
            throw new ActionException(what + ": " + e.getMessage(), true);
        }
    }

    /**
     * Stops between steps once the resume was cancelled (pgferry lost the mapping's lease, or
     * stops, or completes the mapping): another pgferry may be resuming by now, and a table
     * emptied on a stale view could be one it already gave to table synchronization.
     */
    private static void goOn(SnapshotCopy.Sessions sessions, String what) throws ActionException {
        if (sessions.cancelled()) {
            throw new ActionException(what + " was cancelled", true);
        }
    }

    /**
     * The copy's record, if the database is pgferry's (the resume empties tables in it) and the
     * record names it by its OID, with the schema restored; else nothing is done.
     */
    private CopyRecord trustedRecord(Mapping mapping, String database, String what)
            throws SQLException, ActionException {
        long oid;
        try (Connection c = connector.act(mapping.destination(), mapping.destination().maintenanceDatabase())) {
            oid = OwnershipRecords.requireOwned(c, mapping.name(), database, what);
        }
        CopyRecord record = records.read(mapping.destination(), mapping.name(), database).orElse(null);
        if (record == null || record.databaseOid() != oid || !record.schemaRestored()) {
            throw new ActionException(what + " refused: no record of a copy into this database whose schema was "
                    + "restored; the copy starts over instead", true);
        }
        return record;
    }

    private List<Leaf> leaves(Mapping mapping, String database, List<PublishedTable> tables) throws SQLException {
        try (Connection c = connector.act(mapping.source(), database)) {
            return Jdbc.over(c).sql(LEAVES)
                    .params(c.createArrayOf("text", tables.stream().map(PublishedTable::schema).toArray()),
                            c.createArrayOf("text", tables.stream().map(PublishedTable::name).toArray()))
                    .query((rs, n) -> new Leaf(new PublishedTable(rs.getString("member_schema"),
                            rs.getString("member_name")), rs.getLong("oid"), rs.getString("schema"),
                            rs.getString("name"))).list();
        }
    }

    /** The subscription's tables and their states, or null when there is no subscription yet. */
    private Map<PublishedTable, String> subscribed(Mapping mapping, String database, String subscription)
            throws SQLException {
        try (Connection c = connector.act(mapping.destination(), database)) {
            var jdbc = Jdbc.over(c);
            boolean exists = jdbc.sql(SUBSCRIPTION_EXISTS).param(subscription).query(Boolean.class).single();
            if (!exists) {
                return null;
            }
            Map<PublishedTable, String> states = new LinkedHashMap<>();
            jdbc.sql(SUBSCRIBED).param(subscription).query(rs -> {
                states.put(new PublishedTable(rs.getString(1), rs.getString(2)), rs.getString(3));
            });
            return states;
        }
    }

    private static boolean synchronizedAll(Map<PublishedTable, String> subscribed) {
        return subscribed == null || subscribed.values().stream().allMatch("r"::equals);
    }

    /** Empties the tables given to table synchronization: nothing subscribes to them yet. */
    private void emptyTables(Mapping mapping, String database, List<Leaf> leaves) throws SQLException {
        if (leaves.isEmpty()) {
            return;
        }
        try (Connection c = connector.act(mapping.destination(), database); Statement s = c.createStatement()) {
            try {
                s.execute("TRUNCATE ONLY " + leaves.stream().map(Leaf::qualified).collect(Collectors.joining(", ")));
            } catch (SQLException e) {
                if (!dev.pgferry.pg.PgErrors.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw e;
                }
                // a managed destination: pgferry's user restored the tables for their owners, whose
                // role it may take (it set them as owners) without inheriting their privileges
                for (Leaf leaf : leaves) {
                    emptyAsOwner(c, s, leaf);
                }
            }
        }
    }

    private static void emptyAsOwner(Connection c, Statement s, Leaf leaf) throws SQLException {
        String owner = Jdbc.over(c).sql("SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = ?::regclass")
                .param(leaf.qualified()).query(String.class).single();
        try {
            s.execute("SET ROLE " + quote(owner));
            s.execute("TRUNCATE ONLY " + leaf.qualified());
        } catch (SQLException e) {
            throw new SQLException("could not empty table " + leaf.qualified() + " on the destination to copy it "
                    + "again: " + e.getMessage() + "; pgferry's user needs TRUNCATE on it or membership in its owner "
                    + owner, e.getSQLState(), e);
        } finally {
            s.execute("RESET ROLE");
        }
    }

    /**
     * Tables without their indexes and keys get them now (the tables to synchronize need their
     * keys before changes are applied to them). A table's indexes are restored in one
     * transaction, so a table with any index has them all, whatever the records missed.
     */
    private void buildMissingIndexes(Mapping mapping, String database, List<String> filter, CopyRecord record,
            List<Leaf> leaves) throws SQLException, PgToolException, IOException {
        Set<String> indexed = new HashSet<>();
        try (Connection c = connector.act(mapping.destination(), database)) {
            Jdbc.over(c).sql(INDEXED).query(rs -> {
                indexed.add(CopyRecords.key(rs.getString(1), rs.getString(2)));
            });
        }
        List<Leaf> missing = leaves.stream().filter(l -> !indexed.contains(CopyRecords.key(l.schema(), l.name())))
                .filter(l -> !record.table(l.schema(), l.name()).map(CopyRecords.CopiedTable::indexed).orElse(false))
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        withPostData(mapping, database, filter, leaves, (archive, split) -> {
            List<String> entries = new ArrayList<>();
            missing.forEach(l -> entries.addAll(split.perTable().getOrDefault(l.sourceOid(), List.of())));
            try (Paused paused = pauseApply(mapping, database)) {
                copy.restoreListed(mapping, database, archive, entries);
            }
        });
    }

    /** A paused apply worker, started again when closed. */
    private interface Paused extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }

    /**
     * Stops the subscription's workers (if it exists) while a schema step locks several of the
     * tables they write in one transaction: the apply worker would wait on one table while
     * holding another, and one of the two would be ended as a deadlock. Nothing is lost: on
     * ENABLE the apply worker goes on from where it stopped. A stop in between leaves the
     * subscription disabled until the next run of the resume, which pauses and enables it again.
     */
    private Paused pauseApply(Mapping mapping, String database) throws SQLException {
        String subscription = ReplicationNames.of(mapping.name(), database).subscription();
        try (Connection c = connector.act(mapping.destination(), database); Statement s = c.createStatement()) {
            var jdbc = Jdbc.over(c);
            if (!jdbc.sql(SUBSCRIPTION_EXISTS).param(subscription).query(Boolean.class).single()) {
                return () -> {
                };
            }
            s.execute("ALTER SUBSCRIPTION " + quote(subscription) + " DISABLE");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (jdbc.sql("SELECT count(*) FROM pg_stat_subscription WHERE subname = ? AND pid IS NOT NULL")
                    .param(subscription).query(Long.class).single() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return () -> {
            try (Connection c = connector.act(mapping.destination(), database); Statement s = c.createStatement()) {
                s.execute("ALTER SUBSCRIPTION " + quote(subscription) + " ENABLE");
            }
        };
    }

    /** The publication keeps only the tables kept, so the subscription on the slot streams only theirs. */
    private void narrowPublication(Mapping mapping, String database, String publication, List<PublishedTable> kept)
            throws SQLException {
        try (Connection c = connector.act(mapping.source(), database); Statement s = c.createStatement()) {
            List<PublishedTable> current = Jdbc.over(c).sql(PUBLISHED).param(publication)
                    .query((rs, n) -> new PublishedTable(rs.getString(1), rs.getString(2))).list();
            List<PublishedTable> drop = current.stream().filter(t -> !kept.contains(t)).toList();
            if (!drop.isEmpty()) {
                s.execute("ALTER PUBLICATION " + quote(publication) + " DROP TABLE " + list(drop));
            }
        }
    }

    /**
     * The tables to synchronize join the publication, and the subscription learns them: each is
     * copied by PostgreSQL from a snapshot of its own and caught up by its table-sync worker.
     */
    private void synchronize(Mapping mapping, String database, ReplicationNames names, Set<PublishedTable> tables)
            throws SQLException {
        try (Connection c = connector.act(mapping.source(), database); Statement s = c.createStatement()) {
            List<PublishedTable> current = Jdbc.over(c).sql(PUBLISHED).param(names.publication())
                    .query((rs, n) -> new PublishedTable(rs.getString(1), rs.getString(2))).list();
            List<PublishedTable> add = tables.stream().filter(t -> !current.contains(t)).toList();
            if (!add.isEmpty()) {
                s.execute("ALTER PUBLICATION " + quote(names.publication()) + " ADD TABLE " + list(add));
            }
        }
        try (Connection c = connector.act(mapping.destination(), database); Statement s = c.createStatement()) {
            s.execute("ALTER SUBSCRIPTION " + quote(names.subscription())
                    + " REFRESH PUBLICATION WITH (copy_data = true)");
        }
    }

    /**
     * The foreign keys, triggers and the rest of the schema, once every table is synchronized (a
     * foreign key is checked when it is added: its tables must be full). Restored in one
     * transaction: if any of it exists already, an earlier run restored all of it.
     */
    private void restoreRest(Mapping mapping, String database, List<String> filter, List<PublishedTable> tables)
            throws SQLException, PgToolException, IOException {
        List<Leaf> leaves = leaves(mapping, database, tables);
        try {
            withPostData(mapping, database, filter, leaves, (archive, split) -> {
                try (Paused paused = pauseApply(mapping, database)) {
                    copy.restoreListed(mapping, database, archive, split.rest().stream()
                            .filter(line -> !dev.pgferry.pg.CaptureObjects.isTocEntry(line)).toList());
                }
            });
        } catch (PgToolException e) {
            if (!e.getMessage().contains("already exists") && !e.getMessage().contains("multiple primary keys")) {
                throw e;
            }
            log.info("mapping {} database {}: the rest of the schema was restored before the interruption",
                    mapping.name(), database);
        }
    }

    private interface WithArchive {
        void accept(Path archive, TocEntries.Split split) throws SQLException, PgToolException, IOException;
    }

    /** The source's schema now (no snapshot lives any more), its post-data split by table. */
    private void withPostData(Mapping mapping, String database, List<String> filter, List<Leaf> leaves,
            WithArchive then) throws SQLException, PgToolException, IOException {
        Path archive = Files.createTempFile("pgferry-resume-", ".dump");
        try {
            pgDump.dumpSchema(mapping.source(), database, filter, archive);
            Map<Long, Long> indexes = new HashMap<>();
            Map<Long, Long> constraints = new HashMap<>();
            try (Connection c = connector.act(mapping.source(), database)) {
                SnapshotCopy.readOwners(Jdbc.over(c), indexes, constraints);
            }
            TocEntries.Split split = TocEntries.split(pgDump.contents(archive, "post-data"), indexes, constraints,
                    leaves.stream().map(Leaf::sourceOid).collect(Collectors.toSet()));
            then.accept(archive, split);
        } finally {
            archive.toFile().delete();
        }
    }

    private static String list(List<PublishedTable> tables) {
        return tables.stream().map(t -> quote(t.schema()) + "." + quote(t.name())).collect(Collectors.joining(", "));
    }
}
