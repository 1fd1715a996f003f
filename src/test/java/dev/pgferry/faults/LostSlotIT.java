package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.HttpClientErrorException;

/**
 * The subscription stops applying (disabled on the destination) while an application writes,
 * and the source (max_slot_wal_keep_size 32 MB) removes WAL the slot still needs: pgferry shows
 * the database FAILED with the reason and a critical alert, never as streaming; the operator
 * starts it over and it copies again, reaches READY with every row, and complete leaves nothing.
 */
class LostSlotIT {

    private static final String DB = "lost_shop";
    private static final String MAPPING = "lost";
    private final EmbeddedPostgres source = TestServers.smallWalSource();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);

    @Test
    void aSlotThatLostItsWalIsShownAndTheDatabaseStartedOver() throws Exception {
        migration.create(5_000);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10));
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                        .mapping(MAPPING, "src", "dst", DB, "run").start()) {
            app.awaitPhase(MAPPING, "READY", Duration.ofMinutes(2));
            assertThatThrownBy(() -> app.api().post().uri("/api/mappings/lost/database/start-over?name=" + DB)
                    .retrieve().toBodilessEntity()).as("a healthy database is never started over")
                    .isInstanceOf(HttpClientErrorException.Conflict.class);
            List<Long> subscription = migration.subscriptions();
            assertThat(subscription).hasSize(1);

            // the destination stops applying; the source writes on, and more than the slot may keep
            Db.execute(destination, DB, "ALTER SUBSCRIPTION " + subscriptionName() + " DISABLE");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Db.execute(source, "postgres", "CREATE TABLE IF NOT EXISTS wal_filler (g int, pad text)",
                        "INSERT INTO wal_filler SELECT g, repeat('x', 500) FROM generate_series(1, 40000) g",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
                return "lost".equals(Db.query(source, "postgres", String.class, "SELECT wal_status FROM "
                        + "pg_replication_slots WHERE slot_name LIKE 'pgferry\\_lost\\_%'"));
            });

            // shown, with the way out, never as streaming
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode database = app.mapping(MAPPING).at("/databases/0");
                assertThat(database.at("/phase").asText()).isEqualTo("FAILED");
                assertThat(database.at("/reason").asText()).contains("lost WAL").contains("start this database over");
                assertThat(database.at("/alerts").findValuesAsText("kind")).contains("slot.wal-status");
            });

            // a table of the destination's own refers to a subscribed one: start over would have to empty it
            // too, so it is refused and nothing is emptied
            Db.execute(destination, DB, "CREATE TABLE local_notes (id int PRIMARY KEY, customer_id int REFERENCES "
                    + "customers (id))", "INSERT INTO local_notes SELECT id, id FROM customers LIMIT 3");
            List<String> kept = java.util.Arrays.stream(SampleSchema.TABLES)
                    .map(t -> Db.fingerprint(destination, DB, t)).toList();
            HttpClientErrorException refused = (HttpClientErrorException) org.assertj.core.api.Assertions
                    .catchThrowable(() -> app.api().post().uri("/api/mappings/lost/database/start-over?name=" + DB)
                            .retrieve().toBodilessEntity());
            assertThat(refused.getStatusCode().value()).isEqualTo(409);
            assertThat(refused.getResponseBodyAsString()).contains("local_notes references customers")
                    .contains("nothing changed");
            assertThat(java.util.Arrays.stream(SampleSchema.TABLES).map(t -> Db.fingerprint(destination, DB, t))
                    .toList()).as("nothing emptied").isEqualTo(kept);
            assertThat(migration.subscriptions()).isEqualTo(subscription);
            assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM local_notes")).isEqualTo(3L);
            Db.execute(destination, DB, "DROP TABLE local_notes");

            long oid = databaseOid();
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.snapshot_copy "
                    + "WHERE mapping = 'lost' AND database_oid = ?::oid", oid)).as("the copy's record").isOne();
            app.api().post().uri("/api/mappings/lost/database/start-over?name=" + DB).retrieve().toBodilessEntity();
            app.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
            // started over from an empty database, not resumed from the copy's records
            assertThat(databaseOid()).as("a new database").isNotEqualTo(oid);
            assertThat(Db.query(destination, "postgres", String.class, "SELECT resumes || ' ' || (database_oid = ?::oid) "
                    + "FROM pgferry.snapshot_copy WHERE mapping = 'lost'", databaseOid())).isEqualTo("0 true");
            assertThat(migration.subscriptions()).as("a new subscription").hasSize(1).doesNotContainAnyElementsOf(subscription);
            assertThat(Db.query(source, "postgres", String.class, "SELECT wal_status FROM pg_replication_slots "
                    + "WHERE slot_name LIKE 'pgferry\\_lost\\_%'")).isIn("reserved", "extended");
            assertThat(Db.list(destination, "postgres", String.class, "SELECT action FROM pgferry.audit_log "
                    + "WHERE mapping = 'lost'")).contains("start-over");
            assertThat(writer.transactions()).isPositive();
            writer.close();
            // every row arrived, pgferry's verification agrees, one of each object, nothing left
            migration.verifyAndComplete(app);
        } finally {
            Db.execute(source, "postgres", "DROP TABLE IF EXISTS wal_filler");
        }
    }

    private long databaseOid() {
        return Db.query(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database WHERE datname = ?",
                DB);
    }

    private String subscriptionName() {
        return Db.query(destination, "postgres", String.class, "SELECT subname::text FROM pg_subscription "
                + "WHERE subname LIKE 'pgferry\\_lost\\_%'");
    }
}
