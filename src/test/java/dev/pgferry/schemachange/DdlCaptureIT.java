package dev.pgferry.schemachange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * DDL_CAPTURE: once the database streams, an event trigger on the source records the statements
 * the application runs, and the database's history shows them; pgferry's capture objects are no
 * drift, and a second mapping copying the same source database to another destination meanwhile
 * carries none of them over (its dump leaves them out); complete removes them from the source.
 */
class DdlCaptureIT {

    private static final String DB = "capture_shop";

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final EmbeddedPostgres second = TestServers.spareDestination();

    @Test
    void theStatementsAreRecordedNeverCopiedAndRemovedAtComplete() throws Exception {
        SampleMigration.of(source, destination, "capt", DB).create(100);
        String capture = ReplicationNames.ddlCapture("capt", DB).name();
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .instance("spare", second).mapping("capt", "src", "dst", DB, "run")
                .property("pgferry.mappings.capt.ddl-capture", "true").property("pgferry.poll-interval", "1s")
                .property("pgferry.ready.stable-for", "2s").start()) {
            app.awaitPhase("capt", "READY", Duration.ofMinutes(3));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(source, DB, Long.class,
                    "SELECT count(*) FROM pg_event_trigger WHERE evtname = ?", capture)).isEqualTo(1L));
            assertThat(Db.list(destination, "postgres", String.class, "SELECT detail FROM pgferry.audit_log WHERE "
                    + "mapping = 'capt' AND action = 'step'")).anyMatch(d -> d.startsWith("install the DDL capture"));

            Db.execute(source, DB, "ALTER TABLE customers ADD COLUMN vip boolean DEFAULT false");
            JsonNode captured = await().atMost(Duration.ofSeconds(60)).until(() -> app.api().get()
                    .uri("/api/mappings/capt/database?name={d}", DB).retrieve().body(JsonNode.class)
                    .at("/schemaChanges/captured"), c -> c.toString().contains("ADD COLUMN vip"));
            assertThat(captured.get(0).get("command").asText()).isEqualTo("ALTER TABLE");
            assertThat(captured.get(0).get("objects").asText()).isEqualTo("public.customers");
            assertThat(captured.get(0).get("role").asText()).isEqualTo(source.superuser());
            // a password in the statement's text (a migration script's DO block) is never kept
            Db.execute(source, "postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                    + "'capt_app') THEN CREATE ROLE capt_app; END IF; END $$");
            Db.execute(source, DB, "DO $$ BEGIN ALTER ROLE capt_app PASSWORD 'hunter2'; "
                    + "CREATE TABLE capt_extra (id int PRIMARY KEY); END $$");
            JsonNode withScript = await().atMost(Duration.ofSeconds(60)).until(() -> app.api().get()
                    .uri("/api/mappings/capt/database?name={d}", DB).retrieve().body(JsonNode.class)
                    .at("/schemaChanges/captured"), c -> c.toString().contains("capt_extra"));
            assertThat(withScript.toString()).contains("PASSWORD ********").doesNotContain("hunter2");
            assertThat(Db.query(source, DB, Long.class, "SELECT count(*) FROM " + "\"" + capture
                    + "\".statements WHERE statement LIKE '%hunter2%'")).isZero();
            // carried over (safe), and pgferry's own objects are no drift
            app.awaitPhase("capt", "READY", Duration.ofMinutes(1));
            assertThat(Db.fingerprint(destination, DB, "capt_extra")).isEqualTo(Db.fingerprint(source, DB, "capt_extra"));
        }
        // another mapping copies the same source database while the capture is there: none of it arrives
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .instance("spare", second).mapping("capt", "src", "dst", DB, "run")
                .property("pgferry.mappings.capt.ddl-capture", "true").mapping("capt2", "src", "spare", DB, "run")
                .property("pgferry.poll-interval", "1s").property("pgferry.ready.stable-for", "2s").start()) {
            app.awaitPhase("capt2", "READY", Duration.ofMinutes(3));
            // restarted: what pgferry applied before comes back from the audit log
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.api().get()
                    .uri("/api/mappings/capt/database?name={d}", DB).retrieve().body(JsonNode.class)
                    .at("/schemaChanges/applied").toString()).contains("column added public.customers.vip"));
            assertThat(Db.query(second, DB, Long.class, "SELECT count(*) FROM pg_event_trigger")).isZero();
            assertThat(Db.query(second, DB, Long.class, "SELECT count(*) FROM pg_namespace WHERE nspname ~ "
                    + "'^pgferry_.+_ddl_'")).isZero();
            assertThat(Db.query(source, DB, Long.class, "SELECT count(*) FROM pg_event_trigger WHERE evtname = ?",
                    capture)).as("the first mapping's capture is still there").isEqualTo(1L);

            app.awaitPhase("capt", "READY", Duration.ofMinutes(1));
            app.api().post().uri("/api/mappings/capt/complete").retrieve().toBodilessEntity();
            app.api().post().uri("/api/mappings/capt2/complete").retrieve().toBodilessEntity();
            app.awaitPhase("capt", "COMPLETE", Duration.ofMinutes(1));
            app.awaitPhase("capt2", "COMPLETE", Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.query(source, DB, Long.class, "SELECT count(*) FROM pg_event_trigger")).isZero();
                assertThat(Db.query(source, DB, Long.class, "SELECT count(*) FROM pg_namespace WHERE nspname = ?",
                        capture)).isZero();
                assertThat(Db.pgferryObjects(source, "capt")).isEmpty();
                assertThat(Db.pgferryObjects(source, "capt2")).isEmpty();
                assertThat(Db.publications(source, DB)).isEmpty();
            });
        }
    }
}
