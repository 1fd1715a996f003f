package dev.pgferry.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Await;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.Pgferry;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.PgferryProcess;
import dev.pgferry.testing.PgferryProcesses;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot copy interrupted after some tables finished while a large one is half copied, and
 * resumed (see ../docs/copying.md): pgferry killed (SIGKILL, then a crash point in the middle of
 * the resume; a kept table left without its indexes) from a 17 source, and the source restarted
 * under pgferry from a 16 source. Each
 * time the destination database keeps its OID, the finished tables are not copied again (their
 * inserts on the destination are exactly their rows), the half-copied one is emptied and copied
 * by table synchronization, the source's writes during and after the interruption arrive, the
 * foreign keys come once every table is in, and complete leaves nothing, its records included.
 */
class ResumedCopyIT {

    /**
     * A large table with an odd name: ~43 MB, three ranges for two workers copied at 4 MB/s, so the
     * small tables finish while its last range is still being copied.
     */
    private static final String LARGE = "\"Readings Log\"";
    private static final String LARGE_NAME = "Readings Log";
    private static final List<String> TABLES = new ArrayList<>(SampleMigration.TABLES);

    static {
        TABLES.add(LARGE);
    }

    @RegisterExtension
    final PgferryProcesses processes = new PgferryProcesses();

    @Test
    void aKilledPgferryResumesTheCopyKeepingTheTablesItFinished() throws Exception {
        EmbeddedPostgres source = TestServers.source(17);
        EmbeddedPostgres destination = TestServers.destination();
        String db = "resume_kill";
        SampleMigration migration = prepare(source, destination, "resumek", db);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10))) {
            PgferryProcess first = process("resumek", db, source, destination, "4MB").start();
            awaitInterruptible(destination, "resumek", db);
            first.kill();
            long oid = databaseOid(destination, db);
            assertThat(migration.subscriptions()).as("never subscribed on a partial copy").isEmpty();
            Map<String, Long> kept = finishedTables(destination, "resumek", db);
            assertThat(kept).as("the tables the copy finished").containsKey("orders").doesNotContainKey(LARGE_NAME);
            // a table whose rows are in and recorded but whose indexes were not built yet, as pgferry stopped
            // in between leaves it (a table's indexes are built in one transaction: it has none): built by the resume
            Db.execute(destination, db, "ALTER TABLE orders DROP CONSTRAINT orders_pkey",
                    "DROP INDEX orders_customer_idx");
            Db.execute(destination, "postgres", "UPDATE pgferry.copied_table SET indexed_at = NULL WHERE mapping = "
                    + "'resumek' AND table_name = 'orders'");

            // halted in the middle of the resume: subscribed on the slot for the kept tables only
            PgferryProcess halted = process("resumek", db, source, destination, "0").crashAfter("resume:SUBSCRIBED")
                    .start();
            halted.awaitCrash(Duration.ofMinutes(2));
            assertThat(migration.subscriptions()).hasSize(1);
            assertThat(Db.query(destination, db, Long.class, "SELECT count(*) FROM pg_index WHERE indrelid = "
                    + "'orders'::regclass")).as("the kept table's indexes built before subscribing").isEqualTo(2L);
            assertThat(Db.query(source, db, Boolean.class, "SELECT EXISTS (SELECT FROM pg_publication_tables WHERE "
                    + "pubname = 'pgferry_resumek_resume_kill' AND tablename = ?)", LARGE_NAME))
                    .as("the half-copied table is not published yet").isFalse();

            try (PgferryProcess last = process("resumek", db, source, destination, "0").start()) {
                assertResumed(last, migration, writer, source, destination, "resumek", db, oid, kept);
            }
        }
    }

    @Test
    void aSourceRestartedInTheMiddleOfTheCopyIsResumedWithoutStartingOver() throws Exception {
        EmbeddedPostgres source = TestServers.source(16);
        EmbeddedPostgres destination = TestServers.destination();
        String db = "resume_restart";
        SampleMigration migration = prepare(source, destination, "resumer", db);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10));
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                        .mapping("resumer", "src", "dst", db, "run")
                        .property("pgferry.mappings.resumer.copy-workers", "2")
                        // slower than the kill test's: the source's stop comes a moment after the check
                        // below, and the large table's last range must still be copying then
                        .property("pgferry.mappings.resumer.copy-max-rate", "2MB").start()) {
            awaitInterruptible(destination, "resumer", db);
            long oid = databaseOid(destination, db);
            source.stop();
            Thread.sleep(2000);
            source.startAgain();
            Map<String, Long> kept = finishedTables(destination, "resumer", db);
            assertThat(kept).doesNotContainKey(LARGE_NAME);
            assertResumed(app, migration, writer, source, destination, "resumer", db, oid, kept);
        }
    }

    private PgferryProcess process(String mapping, String db, EmbeddedPostgres source, EmbeddedPostgres destination,
            String rate) {
        String prefix = "PGFERRY_MAPPINGS_" + mapping.toUpperCase(java.util.Locale.ROOT) + "_";
        return processes.mapping(mapping, mapping, db, source, destination).env(prefix + "COPY_WORKERS", "2")
                .env(prefix + "COPY_MAX_RATE", rate);
    }

    /** The sample shop (small tables, a partitioned one) and a large table that refers to it. */
    private static SampleMigration prepare(EmbeddedPostgres source, EmbeddedPostgres destination, String mapping,
            String db) {
        SampleMigration migration = SampleMigration.of(source, destination, mapping, db).create(4_000);
        Db.execute(source, db, "CREATE TABLE " + LARGE + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                + "customer_id bigint NOT NULL REFERENCES customers (id), at timestamptz NOT NULL DEFAULT now(), "
                + "value double precision, note text)",
                "CREATE INDEX readings_customer ON " + LARGE + " (customer_id)",
                "INSERT INTO " + LARGE + " (customer_id, value, note) SELECT 1 + g % 2000, g * 0.5, repeat('r', 120) "
                        + "FROM generate_series(1, 240000) g",
                // large objects: copied after the tables, so the interrupted copy left none; the resume copies them
                "SELECT lo_from_bytea(0, convert_to('scan ' || g, 'UTF8')) FROM generate_series(1, 3) g",
                "ANALYZE");
        return migration;
    }

    /**
     * Until the copy has finished tables (recorded on the destination; products, the smallest,
     * goes last) while the large table is half copied: some of its rows committed, its copy not
     * recorded as done.
     */
    private static void awaitInterruptible(EmbeddedPostgres destination, String mapping, String db) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(finishedTables(destination, mapping, db)).containsKey("products")
                            .doesNotContainKey(LARGE_NAME);
                    assertThat(Db.query(destination, db, Long.class, "SELECT count(*) FROM " + LARGE)).isPositive();
                });
        assertThat(finishedTables(destination, mapping, db)).as("still half copied when interrupted")
                .doesNotContainKey(LARGE_NAME);
    }

    /** The tables the copy recorded as finished from its snapshot (all rows in: a resume keeps them), with their rows. */
    private static Map<String, Long> finishedTables(EmbeddedPostgres destination, String mapping, String db) {
        Map<String, Long> tables = new java.util.TreeMap<>();
        for (String row : Db.list(destination, "postgres", String.class, "SELECT table_name || '=' || rows FROM "
                + "pgferry.copied_table WHERE mapping = ? AND database = ? AND origin = 'snapshot' AND rows IS NOT NULL",
                mapping, db)) {
            int at = row.lastIndexOf('=');
            tables.put(row.substring(0, at), Long.parseLong(row.substring(at + 1)));
        }
        return tables;
    }

    private static void assertResumed(Pgferry app, SampleMigration migration, SampleWriter writer,
            EmbeddedPostgres source, EmbeddedPostgres destination, String mapping, String db, long oid,
            Map<String, Long> kept) {
        JsonNode ready = app.awaitPhase(mapping, "READY", Duration.ofMinutes(3));
        assertThat(databaseOid(destination, db)).as("the same database, not a new copy").isEqualTo(oid);
        JsonNode database = ready.at("/databases/0");
        assertThat(database.at("/copyResume").asText()).startsWith("Resumed: ").contains("tables kept")
                .contains("copied by table synchronization");
        for (JsonNode table : database.at("/tables")) {
            String name = table.at("/name").asText();
            if (name.equals(LARGE_NAME)) {
                assertThat(table.at("/rowsFrom").asText()).as(name).isEqualTo("table synchronization, after the resume");
            } else if (kept.containsKey(name)) {
                assertThat(table.at("/rowsFrom").asText()).as(name).isEqualTo("the snapshot copy, kept at the resume");
            }
        }
        assertThat(Db.query(destination, "postgres", String.class, "SELECT origin FROM pgferry.copied_table "
                + "WHERE mapping = ? AND database = ? AND table_name = ?", mapping, db, LARGE_NAME))
                .isEqualTo("table-sync");
        assertThat(writer.transactions()).isPositive();
        writer.close();
        Await.everyTableEqual(source, destination, db, TABLES);
        String largeObjects = "SELECT oid || ' ' || md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid";
        assertThat(Db.list(destination, db, String.class, largeObjects)).as("the large objects, by the resume")
                .hasSize(3).isEqualTo(Db.list(source, db, String.class, largeObjects));
        // the kept tables were never emptied and copied again: a table the application does not write
        // (products) saw exactly its rows inserted, one it writes its rows plus what the apply worker
        // inserted and deleted since. The apply worker reports its counts when it commits, at most once
        // a second: each try makes it commit.
        assertThat(kept).containsKey("products");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1500)).untilAsserted(() -> {
            Db.execute(source, db, "UPDATE customers SET name = name WHERE id = 1");
            assertThat(Db.query(destination, db, Long.class, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname "
                    + "= 'products'")).isEqualTo(50L);
            for (String table : kept.keySet()) {
                assertThat(Db.query(destination, db, Long.class, "SELECT n_tup_ins - n_tup_del FROM "
                        + "pg_stat_user_tables WHERE relname = ?", table)).as("inserts less deletes on " + table)
                        .isEqualTo(Db.query(destination, db, Long.class, "SELECT count(*) FROM "
                                + dev.pgferry.pg.Identifiers.quote(table)));
            }
        });
        // the half-copied table was emptied and copied again: more inserts than rows
        assertThat(Db.query(destination, db, Long.class, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = ?",
                LARGE_NAME)).isGreaterThan(Db.query(destination, db, Long.class, "SELECT count(*) FROM " + LARGE));
        // the rest of the schema came once every table was in: the foreign keys, the source's indexes
        String constraints = "SELECT string_agg(conrelid::regclass || ' ' || pg_get_constraintdef(oid), E'\\n' "
                + "ORDER BY conrelid::regclass::text, conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                + "AND contype <> 'n'";
        assertThat(Db.query(destination, db, String.class, constraints))
                .isEqualTo(Db.query(source, db, String.class, constraints));
        String indexes = "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'";
        assertThat(Db.query(destination, db, String.class, indexes)).isEqualTo(Db.query(source, db, String.class, indexes));
        assertThat(app.mapping(mapping).at("/databases/0/phase").asText()).isEqualTo("READY");
        migration.assertOneOfEach();
        migration.completeLeavingNothing(app);
        assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.snapshot_copy WHERE "
                + "mapping = ?", mapping)).as("the copy's records go with complete").isZero();
        assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.copied_table WHERE "
                + "mapping = ?", mapping)).isZero();
    }

    private static long databaseOid(EmbeddedPostgres destination, String db) {
        return Db.query(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database WHERE datname = ?",
                db);
    }
}
