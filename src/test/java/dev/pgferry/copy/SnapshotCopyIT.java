package dev.pgferry.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Await;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The snapshot copy on real servers (15 -> 18), under writes: progress per table while it runs
 * (slowed down by the rate limit), pgferry stopped in the middle of it, and a new pgferry that
 * finds the interrupted copy, starts it over from an empty database and ends with every row, the
 * indexes built per table and a subscription on the snapshot's slot that copied nothing again.
 */
class SnapshotCopyIT {

    private static final String DB = "shop_snapshot";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    private PgferryApp app(String rate) {
        return new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("snap", "src", "dst", DB, "run").property("pgferry.mappings.snap.copy-method", "snapshot")
                .property("pgferry.mappings.snap.copy-workers", "2")
                .property("pgferry.mappings.snap.copy-max-rate", rate);
    }

    @Test
    void copiesUnderWritesShowsProgressAndStartsOverAfterAnInterruption() throws Exception {
        SampleMigration migration = SampleMigration.of(source, destination, "snap", DB).create(30_000);
        try (Connection c = Db.connect(source, DB)) {
            c.createStatement().execute("CREATE TYPE mood AS ENUM ('sad', 'happy'); "
                    + "CREATE TABLE \"Odd Types\" (id int PRIMARY KEY, tags text[], doc jsonb, mood mood, "
                    + "total numeric GENERATED ALWAYS AS (id * 2) STORED); "
                    + "INSERT INTO \"Odd Types\" (id, tags, doc, mood) SELECT g, ARRAY['a', 'b'' c'], "
                    + "jsonb_build_object('g', g), CASE WHEN g % 2 = 0 THEN 'happy' ELSE 'sad' END::mood "
                    + "FROM generate_series(1, 2000) g; CREATE INDEX odd_doc ON \"Odd Types\" USING gin (doc)");
        }
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10))) {
            // slowed to 1 MB/s: the copy takes long enough to be watched and interrupted
            try (PgferryApp app = app("1MB").start()) {
                JsonNode copying = awaitCopyProgress(app);
                JsonNode database = copying.at("/databases/0");
                assertThat(database.at("/reason").asText()).startsWith("snapshot copy:");
                assertThat(database.at("/copyBytesTotal").asLong()).isPositive();
                assertThat(labels(database)).anyMatch(l -> l.startsWith("snapshot copy:"));
                assertThat(Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM "
                        + "pg_replication_slots WHERE slot_name = 'pgferry_snap_shop_snapshot'")).hasSize(1);
            }
            // stopped mid-copy: a slot and a partial database, no subscription
            assertThat(migration.subscriptions()).isEmpty();

            try (PgferryApp app = app("0").start()) {
                JsonNode ready = app.awaitPhase("snap", "READY", Duration.ofMinutes(3));
                assertThat(ready.at("/databases/0/tables").findValuesAsText("syncState")).containsOnly("r");
                assertThat(writer.transactions()).isPositive();
                writer.close();
                Await.everyTableEqual(source, destination, DB, List.of("customers", "products", "orders",
                        "order_items", "events", "\"Odd Types\""));
                // every index and key of the source, built on the destination
                String indexes = "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes "
                        + "WHERE schemaname = 'public'";
                assertThat(Db.query(destination, DB, String.class, indexes))
                        .isEqualTo(Db.query(source, DB, String.class, indexes));
                assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM pg_subscription "
                        + "WHERE subname = 'pgferry_snap_shop_snapshot'")).isEqualTo(1L);
                migration.completeLeavingNothing(app);
            }
        }
    }

    private static JsonNode awaitCopyProgress(PgferryApp app) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            last[0] = app.mapping("snap");
            JsonNode database = last[0].at("/databases/0");
            assertThat(database.at("/phase").asText()).as(last[0].toPrettyString()).isEqualTo("COPYING");
            assertThat(database.at("/copyBytesDone").asLong()).isPositive();
        });
        return last[0];
    }

    private static List<String> labels(JsonNode database) {
        List<String> labels = new java.util.ArrayList<>();
        database.at("/tables").forEach(t -> labels.add(t.at("/syncStateLabel").asText()));
        return labels;
    }
}
