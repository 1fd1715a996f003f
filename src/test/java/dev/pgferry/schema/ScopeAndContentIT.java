package dev.pgferry.schema;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schema-only, data-only (compatible and breaking destination schemas) and a table-level scope. */
class ScopeAndContentIT {

    private static final EmbeddedPostgres S = TestServers.source();
    private static final EmbeddedPostgres D = TestServers.destination();

    @Test
    void schemaOnlyCopiesTheSchemaAndCompletesWithoutReplication() throws Exception {
        sample(S, "sc_schema", true);
        try (PgferryApp app = app("schemaonly", "sc_schema", "schema-only").start()) {
            JsonNode mapping = app.awaitPhase("schemaonly", "COMPLETE", Duration.ofMinutes(1));
            assertThat(mapping.at("/databases/0/plannedActions")).isEmpty();
            JsonNode fidelity = app.api().post().uri("/api/mappings/schemaonly/fidelity").retrieve()
                    .body(JsonNode.class);
            assertThat(fidelity.at("/0/differences")).as(fidelity.toPrettyString()).isEmpty();
        }
        for (String table : SampleSchema.TABLES) {
            assertThat(Db.query(D, "sc_schema", Long.class, "SELECT count(*) FROM " + table)).isZero();
        }
        assertThat(Db.publications(S, "sc_schema")).isEmpty();
        assertThat(Db.pgferryObjects(S, "schemaonly")).isEmpty();
        assertThat(Db.pgferryObjects(D, "schemaonly")).isEmpty();
    }

    @Test
    void dataOnlyFillsACompatibleDestinationSchema() throws Exception {
        sample(S, "sc_data", true);
        sample(D, "sc_data", false);
        Db.execute(D, "sc_data", "ALTER TABLE orders ADD COLUMN note text",
                "ALTER TABLE products ALTER COLUMN price TYPE numeric(14, 2)");
        try (PgferryApp app = app("dataonly", "sc_data", "data-only").start()) {
            JsonNode db = app.awaitPhase("dataonly", "READY", Duration.ofMinutes(2)).at("/databases/0");
            assertThat(levels(db)).containsOnly("SAFE");
            Db.execute(S, "sc_data", "UPDATE orders SET status = 'paid' WHERE id % 3 = 0",
                    "DELETE FROM order_items WHERE order_id % 5 = 0");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String table : List.of("customers", "order_items", "events", "products")) {
                    assertThat(Db.fingerprint(D, "sc_data", table)).isEqualTo(Db.fingerprint(S, "sc_data", table));
                }
                assertThat(Db.query(D, "sc_data", Long.class, "SELECT count(*) FROM orders")).isEqualTo(
                        Db.query(S, "sc_data", Long.class, "SELECT count(*) FROM orders"));
            });
            completeAndAwait(app, "dataonly");
        }
    }

    @Test
    void dataOnlyBlocksOnABreakingDestinationSchema() throws Exception {
        sample(S, "sc_break", true);
        sample(D, "sc_break", false);
        Db.execute(D, "sc_break", "ALTER TABLE orders DROP COLUMN status",
                "ALTER TABLE customers ADD COLUMN tier text NOT NULL",
                "ALTER TABLE products ALTER COLUMN title TYPE varchar(5)");
        try (PgferryApp app = app("breaking", "sc_break", "data-only").start()) {
            JsonNode db = app.awaitPhase("breaking", "BLOCKED", Duration.ofMinutes(1)).at("/databases/0");
            assertThat(db.at("/blockedBy").toString()).contains("destination.compatibility");
            assertThat(db.at("/compatibility").toString()).contains("column status missing on the destination")
                    .contains("column tier exists only on the destination, NOT NULL without default")
                    .contains("NEEDS_ATTENTION");
        }
        assertThat(Db.publications(S, "sc_break")).isEmpty();
        assertThat(Db.pgferryObjects(D, "breaking")).isEmpty();
    }

    @Test
    void aTableLevelScopeMovesOnlyThoseTables() throws Exception {
        sample(S, "sc_scope", true);
        try (PgferryApp app = app("scoped", "sc_scope", "schema-and-data")
                .property("pgferry.mappings.scoped.tables", "public.products,public.events").start()) {
            app.awaitPhase("scoped", "READY", Duration.ofMinutes(2));
            Db.execute(S, "sc_scope", "INSERT INTO products (title, price) VALUES ('late', 2)",
                    "INSERT INTO events (happened_at, kind) VALUES ('2026-03-01', 'late')");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.fingerprint(D, "sc_scope", "products")).isEqualTo(Db.fingerprint(S, "sc_scope",
                        "products"));
                assertThat(Db.fingerprint(D, "sc_scope", "events")).isEqualTo(Db.fingerprint(S, "sc_scope", "events"));
            });
            completeAndAwait(app, "scoped");
        }
        assertThat(Db.list(D, "sc_scope", String.class, "SELECT tablename::text FROM pg_tables "
                + "WHERE schemaname = 'public' ORDER BY 1"))
                .containsExactly("events", "events_2025", "events_2026", "events_other", "products");
        assertThat(Db.list(D, "sc_scope", String.class, "SELECT relname::text FROM pg_class WHERE relkind = 'p'"))
                .containsExactly("events");
    }

    private static void completeAndAwait(PgferryApp app, String mapping) {
        app.awaitPhase(mapping, "READY", Duration.ofMinutes(1));
        app.api().post().uri("/api/mappings/{m}/complete", mapping).retrieve().toBodilessEntity();
        app.awaitPhase(mapping, "COMPLETE", Duration.ofSeconds(30));
    }

    private static PgferryApp app(String mapping, String database, String content) {
        return new PgferryApp().instance("src", S).instance("dst", D).mapping(mapping, "src", "dst", database, "run")
                .property("pgferry.mappings." + mapping + ".content", content);
    }

    private static void sample(EmbeddedPostgres server, String database, boolean withRows) throws Exception {
        Db.execute(server, "postgres", "CREATE DATABASE " + database);
        try (Connection c = Db.connect(server, database)) {
            if (withRows) {
                SampleSchema.create(c, 2_000);
            } else {
                SampleSchema.createEmpty(c);
            }
        }
    }

    private static List<String> levels(JsonNode database) {
        List<String> levels = new ArrayList<>();
        database.at("/compatibility").forEach(t -> levels.add(t.at("/level").asText()));
        assertThat(levels).isNotEmpty();
        return levels;
    }
}
