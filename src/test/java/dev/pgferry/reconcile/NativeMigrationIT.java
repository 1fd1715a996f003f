package dev.pgferry.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * One database moved from a real PostgreSQL 15 to a real PostgreSQL 18 with the native copy,
 * while an application writes to it; pgferry restarted mid-stream; then complete.
 */
class NativeMigrationIT {

    private static final String DB = "shop_native";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, "shop", DB);

    @Test
    void movesADatabaseUnderWritesSurvivesARestartAndCompletesWithoutLeftovers() throws Exception {
        migration.create(5_000);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(20))) {
            Map<String, Long> firstOids;
            try (PgferryApp app = app().start()) {
                assertLoginRequired(app);
                awaitPhase(app, "READY", Duration.ofMinutes(3));
                assertThat(writer.transactions()).as("writes happened during the migration").isPositive();
                firstOids = replicationOids();
            }
            // pgferry is down: writes go on; a new process must find the same objects and phase
            long writesBefore = writer.transactions();
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > writesBefore + 20);
            try (PgferryApp app = app().start()) {
                JsonNode first = awaitPhase(app, "READY", Duration.ofMinutes(2));
                assertThat(first.at("/databases/0/plannedActions")).isEmpty();
                assertThat(replicationOids()).as("nothing created twice").isEqualTo(firstOids);

                writer.close();
                migration.awaitEveryTableEqual();
                // the estimates shown per table follow the data on both sides
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode tables = app.api().get().uri("/api/mappings/shop").retrieve().body(JsonNode.class)
                            .at("/databases/0/tables");
                    assertThat(tables).hasSize(SampleSchema.TABLES.length);
                    tables.forEach(t -> {
                        assertThat(t.at("/syncState").asText()).isEqualTo("r");
                        assertThat(t.at("/sourceRows").asLong()).as(t.toString()).isPositive();
                        assertThat(t.at("/destinationRows").asLong()).as(t.toString()).isPositive();
                    });
                });
                awaitPhase(app, "READY", Duration.ofMinutes(1));

                JsonNode chart = app.mapping("shop").at("/databases/0/lagChart");
                assertThat(chart.at("/samples").asInt()).as("lag samples since this start").isPositive();
                assertThat(chart.at("/lagPoints").asText()).isNotBlank();
                // the gauges follow the last tick
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(app.api().get()
                        .uri("/actuator/prometheus").retrieve().body(String.class))
                        .contains("pgferry_database_lag_bytes{database=\"shop_native\",mapping=\"shop\"}")
                        .contains("pgferry_database_phase{database=\"shop_native\",mapping=\"shop\",phase=\"READY\"} 1.0")
                        .contains("pgferry_database_cutover_ready{database=\"shop_native\",mapping=\"shop\"} 1.0"));
                JsonNode completed = app.api().post().uri("/api/mappings/shop/complete").retrieve()
                        .body(JsonNode.class);
                assertThat(completed.at("/phase").asText()).isEqualTo("COMPLETE");
                awaitPhase(app, "COMPLETE", Duration.ofSeconds(30));
                migration.awaitNothingLeft();
            }
        }
        // data stays on the destination after complete
        migration.assertEveryTableEqual();
        // a restarted pgferry keeps a completed mapping complete and creates nothing again
        try (PgferryApp app = app().start()) {
            awaitPhase(app, "COMPLETE", Duration.ofSeconds(30));
            assertThat(Db.pgferryObjects(source, "shop")).isEmpty();
            assertThat(Db.publications(source, DB)).isEmpty();
        }
    }

    @Test
    void planModeWritesNothingUntilAnOperatorStartsItAndTheStartSurvivesARestart() throws Exception {
        String db = "shop_plan";
        createSampleDatabase(source, db);
        try (PgferryApp app = planned(db).start()) {
            JsonNode status = app.awaitPhase("planned", "PLANNED", Duration.ofSeconds(30));
            List<String> steps = new java.util.ArrayList<>();
            status.at("/databases/0/plannedActions").forEach(step -> steps.add(step.asText()));
            assertThat(steps).hasSize(5);
            assertThat(steps.get(0)).startsWith("create publication");
            assertThat(steps.get(1)).startsWith("create database");
            assertThat(steps.get(2)).startsWith("give database");
            assertThat(steps.get(3)).startsWith("copy the schema");
            assertThat(steps.get(4)).startsWith("create subscription");
            var response = app.api().post().uri("/api/mappings/planned/complete").retrieve()
                    .onStatus(s -> true, (req, res) -> { })
                    .toEntity(JsonNode.class);
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(response.getBody().at("/error").asText()).contains("mode plan");
            // several ticks later, plan mode has still written nothing anywhere
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(app.awaitPhase("planned", "PLANNED", Duration.ofSeconds(5))).isNotNull());
            assertThat(Db.publications(source, db)).isEmpty();
            assertThat(Db.list(destination, "postgres", String.class,
                    "SELECT datname::text FROM pg_database WHERE datname = ?", db)).isEmpty();

            JsonNode started = app.api().post().uri("/api/mappings/planned/start").retrieve().body(JsonNode.class);
            assertThat(started.at("/mode").asText()).isEqualTo("run");
            assertThat(started.at("/configuredMode").asText()).isEqualTo("plan");
            app.awaitPhase("planned", "READY", Duration.ofMinutes(2));
        }
        try (PgferryApp app = planned(db).start()) {
            // the start was recorded on the destination: still running after a restart
            JsonNode status = app.awaitPhase("planned", "READY", Duration.ofMinutes(1));
            assertThat(status.at("/mode").asText()).isEqualTo("run");
            app.api().post().uri("/api/mappings/planned/complete").retrieve().toBodilessEntity();
            app.awaitPhase("planned", "COMPLETE", Duration.ofSeconds(30));
        }
        assertThat(Db.query(destination, "postgres", Long.class,
                "SELECT count(*) FROM pgferry.audit_log WHERE mapping = 'planned' AND action IN ('start', 'complete')"))
                .isEqualTo(2);
        SampleMigration.of(source, destination, "planned", db).assertEveryTableEqual();
    }

    private PgferryApp planned(String db) {
        return new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("planned", "src", "dst", db, "plan").property("pgferry.mappings.planned.copy-method", "native");
    }

    /** The real server: pages send to the login form, the API answers 401. */
    private static void assertLoginRequired(PgferryApp app) {
        RestClient anonymous = RestClient.builder().baseUrl("http://127.0.0.1:" + app.port())
                .requestFactory(new SimpleClientHttpRequestFactory() {
                    @Override
                    protected void prepareConnection(java.net.HttpURLConnection connection, String method)
                            throws java.io.IOException {
                        super.prepareConnection(connection, method);
                        connection.setInstanceFollowRedirects(false);
                    }
                }).build();
        var page = anonymous.get().uri("/mappings/shop").retrieve().onStatus(s -> true, (req, res) -> { })
                .toBodilessEntity();
        assertThat(page.getStatusCode().is3xxRedirection()).isTrue();
        assertThat(page.getHeaders().getLocation()).hasPath("/login");
        var api = anonymous.get().uri("/api/mappings").retrieve().onStatus(s -> true, (req, res) -> { })
                .toBodilessEntity();
        assertThat(api.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    private PgferryApp app() {
        return new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("shop", "src", "dst", DB, "run").property("pgferry.mappings.shop.copy-method", "native");
    }

    static void createSampleDatabase(EmbeddedPostgres server, String db) throws Exception {
        Db.sampleDatabase(server, db, 5_000);
    }

    private static JsonNode awaitPhase(PgferryApp app, String phase, Duration atMost) {
        return app.awaitPhase("shop", phase, atMost);
    }

    /** The oids of the publication, slot (by its xmin-independent name) and subscription. */
    private Map<String, Long> replicationOids() {
        List<Long> publication = Db.list(source, DB, Long.class,
                "SELECT oid::bigint FROM pg_publication WHERE pubname = 'pgferry_shop_shop_native'");
        List<Long> subscription = Db.list(destination, DB, Long.class,
                "SELECT oid::bigint FROM pg_subscription WHERE subname = 'pgferry_shop_shop_native'");
        List<Long> slots = Db.list(source, "postgres", Long.class,
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pgferry_shop_%'");
        assertThat(publication).hasSize(1);
        assertThat(subscription).hasSize(1);
        assertThat(slots).containsExactly(1L);
        return Map.of("publication", publication.getFirst(), "subscription", subscription.getFirst());
    }
}
