package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.springframework.web.client.HttpClientErrorException;

/**
 * Schema drift while streaming with SCHEMA_CHANGES=detect-only (pgferry applies nothing, as before
 * schema changes were carried over): a column added on the source blocks readiness with the
 * difference shown, and the change with the SQL pgferry would run; confirming it is refused; once
 * the operator applies the same DDL on the destination, the mapping is READY again.
 */
class DriftGuardIT {

    private static final String DB = "drift_shop";

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void aColumnAddedOnTheSourceBlocksReadinessUntilTheDestinationHasItToo() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 100);
        }
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("drift", "src", "dst", DB, "run").property("pgferry.poll-interval", "1s")
                .property("pgferry.mappings.drift.schema-changes", "detect-only")
                .property("pgferry.ready.stable-for", "2s").start()) {
            JsonNode ready = app.awaitPhase("drift", "READY", Duration.ofMinutes(3));
            assertThat(condition(ready, "schema-unchanged").get("met").asBoolean()).isTrue();

            Db.execute(source, DB, "ALTER TABLE customers ADD COLUMN \"Loyalty Points\" integer DEFAULT 0");
            // a row that uses the column stops the apply worker until the destination has it
            Db.execute(source, DB, "UPDATE customers SET \"Loyalty Points\" = 5 WHERE id = (SELECT max(id) FROM "
                    + "customers)");
            JsonNode waiting = await().atMost(Duration.ofSeconds(60)).until(() -> app.mapping("drift"),
                    m -> m.at("/databases/0/reason").asText().contains("waiting for the schema change"));
            assertThat(waiting.at("/databases/0/reason").asText()).contains("column added public.customers."
                    + "\"Loyalty Points\"").contains("apply it on the destination by hand").contains("no row is lost");
            JsonNode drifted = await().atMost(Duration.ofSeconds(60)).until(() -> app.mapping("drift"),
                    m -> !condition(m, "schema-unchanged").get("met").asBoolean());
            String detail = condition(drifted, "schema-unchanged").get("detail").asText();
            assertThat(detail).contains("schema drift").contains("Loyalty Points").contains("Apply the same DDL");
            assertThat(drifted.at("/cutoverReady").asBoolean()).isFalse();
            assertThat(drifted.at("/databases/0/phase").asText()).isEqualTo("STREAMING");
            assertThat(drifted.at("/databases/0/fidelity/differences")).isNotEmpty();
            JsonNode change = await().atMost(Duration.ofSeconds(30)).until(() -> app.api().get()
                    .uri("/api/mappings/drift/database?name={d}", DB).retrieve().body(JsonNode.class)
                    .at("/schemaChanges/pending/0"), c -> !c.isMissingNode());
            assertThat(change.get("level").asText()).isEqualTo("safe");
            assertThat(change.get("meaning").asText()).startsWith("detect-only");
            assertThat(change.get("sql").asText()).contains("ALTER TABLE public.customers ADD COLUMN IF NOT EXISTS "
                    + "\"Loyalty Points\" integer DEFAULT '0'::integer");
            assertThatThrownBy(() -> app.api().post().uri("/api/mappings/drift/schema-changes/apply?name={d}&id={id}",
                    DB, change.get("id").asText()).retrieve().toBodilessEntity())
                    .isInstanceOf(HttpClientErrorException.Conflict.class).hasMessageContaining("detect-only");
            Thread.sleep(3000); // a few ticks: detect-only applies nothing
            assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM pg_attribute WHERE attrelid = "
                    + "'customers'::regclass AND attname = 'Loyalty Points'")).isZero();

            // the remedy: the same DDL on the destination
            Db.execute(destination, DB, "ALTER TABLE customers ADD COLUMN \"Loyalty Points\" integer DEFAULT 0");
            JsonNode again = app.awaitPhase("drift", "READY", Duration.ofSeconds(60));
            assertThat(condition(again, "schema-unchanged").get("met").asBoolean()).isTrue();
            Db.execute(source, DB, "UPDATE customers SET \"Loyalty Points\" = 7 WHERE id = (SELECT min(id) FROM "
                    + "customers)");
            // the row written while the destination lacked the column was not lost: the worker retried it
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(destination, DB,
                    Long.class, "SELECT count(*) FROM customers WHERE \"Loyalty Points\" = 5")).isEqualTo(1L));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(destination, DB,
                    Long.class, "SELECT count(*) FROM customers WHERE \"Loyalty Points\" = 7")).isEqualTo(1L));

            app.api().post().uri("/api/mappings/drift/complete").retrieve().toBodilessEntity();
            app.awaitPhase("drift", "COMPLETE", Duration.ofSeconds(30));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(source, "drift")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "drift")).isEmpty();
        });
    }

    private static JsonNode condition(JsonNode mapping, String id) {
        for (JsonNode condition : mapping.at("/databases/0/readiness")) {
            if (condition.get("id").asText().equals(id)) {
                return condition;
            }
        }
        throw new AssertionError(id + " not in " + mapping.toPrettyString());
    }
}
