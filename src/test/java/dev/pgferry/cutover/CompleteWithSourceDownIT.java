package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Completing a mapping whose source is down: the subscription lets go of its slot and is
 * dropped on the destination, the page says what is left on the source and the exact command,
 * and that command, run once the source is back, leaves nothing of pgferry's behind.
 */
class CompleteWithSourceDownIT {

    private static final String DB = "down_shop";

    private final EmbeddedPostgres source = TestServers.secondSource();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void theSubscriptionIsDroppedWithoutTheSourceAndTheCleanupCommandWorksLater() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 100);
        }
        String command;
        try {
            command = completeWhileTheSourceIsDown();
        } finally {
            // pgferry is gone (it would clean up by itself when it sees the source again)
            source.startAgain();
        }
        assertThat(Db.pgferryObjects(source, "down")).as("slot left on the source while it was down").isNotEmpty();
        assertThat(Db.publications(source, DB)).containsExactly("pgferry_down_down_shop");
        // the operator runs what the page said, on the source, in that database, which is still frozen
        Db.execute(source, "postgres", "ALTER DATABASE " + DB + " SET default_transaction_read_only = on");
        String sql = command.substring(command.indexOf(": BEGIN") + 2);
        try (Connection c = Db.connect(source, DB)) {
            for (String statement : sql.split(";")) {
                if (!statement.isBlank()) {
                    c.createStatement().execute(statement);
                }
            }
        }
        assertThat(Db.pgferryObjects(source, "down")).isEmpty();
        assertThat(Db.publications(source, DB)).isEmpty();
        Db.execute(source, "postgres", "ALTER DATABASE " + DB + " RESET default_transaction_read_only");
        assertThat(Db.pgferryObjects(destination, "down")).isEmpty();
        assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM customers"))
                .as("the destination keeps its data").isEqualTo(Db.query(source, DB, Long.class,
                        "SELECT count(*) FROM customers"));
    }

    private String completeWhileTheSourceIsDown() {
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("down", "src", "dst", DB, "run").property("pgferry.poll-interval", "1s").start()) {
            app.awaitPhase("down", "READY", Duration.ofMinutes(3));
            source.stop();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(app.mapping("down")
                    .at("/sourceError").asText()).contains("unreachable"));
            int refused = app.api().post().uri("/api/mappings/down/complete").exchange(
                    (request, response) -> response.getStatusCode().value());
            assertThat(refused).as("not cutover-ready without the source: force needed").isEqualTo(409);
            app.api().post().uri("/api/mappings/down/complete?force=true").retrieve().toBodilessEntity();
            JsonNode done = app.awaitPhase("down", "COMPLETE", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.pgferryObjects(destination,
                    "down")).as("nothing of pgferry's on the destination").isEmpty());
            JsonNode database = app.mapping("down").at("/databases/0");
            String command = database.get("reason").asText();
            assertThat(command).as(done.toPrettyString()).contains("the source is unreachable")
                    .contains("in database \"down_shop\": BEGIN READ WRITE; SELECT pg_drop_replication_slot(")
                    .contains("DROP PUBLICATION IF EXISTS \"pgferry_down_down_shop\";");
            assertThat(database.get("plannedActions")).isEmpty();
            // the completed mapping's summary says what is left on the source, with the command, and that
            // the forced complete was the operator's
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode completion = app.api().get().uri("/api/mappings/down/cutover").retrieve()
                        .body(JsonNode.class).at("/completion");
                assertThat(completion.findValuesAsText("id")).as(completion.toPrettyString())
                        .contains("complete", "left-on-source");
                assertThat(completion.get(0).get("detail").asText()).startsWith("done by " + PgferryApp.OPERATOR)
                        .endsWith("(complete (forced))");
                assertThat(completion.findValuesAsText("detail")).anySatisfy(detail -> assertThat(detail)
                        .contains("pg_drop_replication_slot("));
            });
            return command;
        }
    }
}
