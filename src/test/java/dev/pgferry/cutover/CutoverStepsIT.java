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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Cutover steps on real servers: the drain (refused while a transaction writes, then the freeze
 * point passed); every sequence (column-owned, standalone with an odd name,
 * descending) set on the destination from the source, with and without a margin, never moved
 * back; materialized views (one built on another) refreshed on the destination; every table
 * verified by rows and checksums in key ranges, and a row changed behind replication's back
 * found with its range; all audited.
 */
class CutoverStepsIT {

    private static final String DB = "seq_shop";
    private static final String ODD = "\"Odd \"\"Seq\"\"\"";

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void everySequenceIsSetFromTheSourceAndNeverMovedBack() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 100);
            c.createStatement().execute("CREATE SEQUENCE " + ODD + " START 1000 INCREMENT 5; "
                    + "CREATE SEQUENCE falling INCREMENT -1 START -1 MAXVALUE -1; "
                    + "CREATE SEQUENCE unused; "
                    + "CREATE MATERIALIZED VIEW \"Daily Totals\" AS SELECT count(*) AS n FROM customers; "
                    + "CREATE MATERIALIZED VIEW \"A Top\" AS SELECT n FROM \"Daily Totals\"");
        }
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("seq", "src", "dst", DB, "plan").property("pgferry.verify-chunk-rows", "100").start()) {
            assertThat(refusal(app, "/api/mappings/seq/sync-sequences")).contains("mode plan");
            app.api().post().uri("/api/mappings/seq/start").retrieve().toBodilessEntity();
            app.awaitPhase("seq", "READY", Duration.ofMinutes(3));
            // the applications keep writing: ids and the standalone sequences move on the source only
            Db.execute(source, DB, "INSERT INTO customers (name, email) SELECT 'late ' || g, 'late' || g || '@x' "
                    + "FROM generate_series(1, 150) g", "SELECT nextval('" + ODD.replace("'", "''") + "') FROM "
                    + "generate_series(1, 3)", "SELECT nextval('falling') FROM generate_series(1, 4)");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(destination, DB,
                    Long.class, "SELECT count(*) FROM customers")).isEqualTo(Db.query(source, DB, Long.class,
                    "SELECT count(*) FROM customers")));
            assertThat(values(destination)).isNotEqualTo(values(source));

            // drain: refused while a session holds a transaction id, then the freeze point is passed
            try (Connection writer = Db.connect(source, DB)) {
                writer.setAutoCommit(false);
                writer.createStatement().execute("INSERT INTO products (title, price) VALUES ('in flight', 1)");
                assertThat(refusal(app, "/api/mappings/seq/drain")).contains("still hold a transaction id");
                writer.rollback();
            }
            JsonNode points = app.api().post().uri("/api/mappings/seq/drain").retrieve().body(JsonNode.class);
            assertThat(points.at("/0/lsnText").asText()).contains("/");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.mapping("seq")
                    .at("/databases/0/drained").asBoolean()).isTrue());
            assertThat(app.mapping("seq").at("/databases/0/freezePoint").asText())
                    .isEqualTo(points.at("/0/lsnText").asText());
            assertThat(refusal(app, "/api/mappings/seq/sync-sequences?margin=-1")).contains("margin=-1");

            JsonNode exact = app.api().post().uri("/api/mappings/seq/sync-sequences").retrieve()
                    .body(JsonNode.class);
            assertThat(exact.at("/0/error").isNull()).as(exact.toPrettyString()).isTrue();
            Map<String, Long> sourceValues = values(source);
            assertThat(values(destination)).as("every sequence as on the source").isEqualTo(sourceValues);
            assertThat(note(exact, "public.unused")).isEqualTo("never used on the source");

            JsonNode withMargin = app.api().post().uri("/api/mappings/seq/sync-sequences?margin=100").retrieve()
                    .body(JsonNode.class);
            Map<String, Long> afterMargin = values(destination);
            assertThat(afterMargin.get("public.Odd \"Seq\"")).isEqualTo(sourceValues.get("public.Odd \"Seq\"") + 500);
            assertThat(afterMargin.get("public.falling")).isEqualTo(sourceValues.get("public.falling") - 100);
            assertThat(afterMargin.get("public.customers_id_seq"))
                    .isEqualTo(sourceValues.get("public.customers_id_seq") + 100);
            assertThat(withMargin.at("/0/margin").asLong()).isEqualTo(100);

            JsonNode again = app.api().post().uri("/api/mappings/seq/sync-sequences").retrieve().body(JsonNode.class);
            assertThat(values(destination)).as("never moved back").isEqualTo(afterMargin);
            assertThat(note(again, "public.customers_id_seq")).contains("never moved back");
            // the next id on the destination does not collide with the source's
            assertThat(Db.query(destination, DB, Long.class, "SELECT nextval('customers_id_seq')"))
                    .isGreaterThan(Db.query(source, DB, Long.class, "SELECT max(id) FROM customers"));
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log "
                    + "WHERE action = 'sync-sequences' AND mapping = 'seq'")).isEqualTo(3L);

            // materialized views: created empty by the schema copy, refreshed on request; "A Top" is built
            // on "Daily Totals" and sorts first, so it waits for it
            assertThat(Db.list(destination, DB, Boolean.class, "SELECT ispopulated FROM pg_matviews"))
                    .containsExactly(false, false);
            JsonNode refreshed = app.api().post().uri("/api/mappings/seq/refresh-matviews").retrieve()
                    .body(JsonNode.class);
            assertThat(refreshed.at("/0/views").findValuesAsText("refreshed")).as(refreshed.toPrettyString())
                    .containsExactly("true", "true");
            assertThat(Db.list(destination, DB, Boolean.class, "SELECT ispopulated FROM pg_matviews"))
                    .containsExactly(true, true);
            assertThat(Db.query(destination, DB, Long.class, "SELECT n FROM \"A Top\""))
                    .isEqualTo(Db.query(source, DB, Long.class, "SELECT count(*) FROM customers"));
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log "
                    + "WHERE action = 'refresh-matviews' AND mapping = 'seq'")).isEqualTo(1L);

            // verification: rows and checksums per key range (100 rows a chunk here) on both sides
            JsonNode verified = verify(app);
            assertThat(verified.at("/finishedAt").isNull()).isFalse();
            assertThat(verified.at("/error").isNull()).as(verified.toPrettyString()).isTrue();
            for (JsonNode table : verified.get("tables")) {
                String name = table.get("name").asText();
                assertThat(table.get("firstDifference").isNull()).as(table.toPrettyString()).isTrue();
                assertThat(table.get("sourceRows").asLong()).as(name).isEqualTo(Db.query(source, DB, Long.class,
                        "SELECT count(*) FROM public." + name));
                assertThat(table.get("destinationRows").asLong()).as(name).isEqualTo(table.get("sourceRows").asLong());
            }
            assertThat(verified.at("/tables").findValuesAsText("name")).contains("customers", "events");
            JsonNode customers = table(verified, "customers");
            assertThat(customers.get("chunks").asInt()).as("200 rows in chunks of 100").isGreaterThanOrEqualTo(2);
            // a row changed on the destination behind replication's back is found, with its key range
            Db.execute(destination, DB, "UPDATE customers SET name = 'tampered' WHERE id = (SELECT max(id) FROM customers)");
            JsonNode tampered = table(verify(app), "customers");
            long first = Db.query(source, DB, Long.class, "SELECT id FROM customers ORDER BY id OFFSET 99 LIMIT 1");
            assertThat(tampered.get("firstDifference").asText()).as("the last range, past the first chunk")
                    .contains("(\"id\") > (" + first + ")");
            assertThat(table(verify(app), "orders").get("firstDifference").isNull()).isTrue();
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log "
                    + "WHERE action = 'verify' AND mapping = 'seq' AND detail LIKE '1 of % table(s) differ: public.customers'"))
                    .isGreaterThanOrEqualTo(1L);

            app.api().post().uri("/api/mappings/seq/complete").retrieve().toBodilessEntity();
            app.awaitPhase("seq", "COMPLETE", Duration.ofSeconds(30));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(source, "seq")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "seq")).isEmpty();
        });
    }

    /** Runs a verification through the API and waits for its report. */
    private static JsonNode verify(PgferryApp app) {
        int status = app.api().post().uri("/api/mappings/seq/verify").retrieve().toBodilessEntity()
                .getStatusCode().value();
        assertThat(status).isEqualTo(202);
        return await().atMost(Duration.ofMinutes(1)).until(() -> app.api().get()
                .uri("/api/mappings/seq/database?name={db}", DB).retrieve().body(JsonNode.class).get("verification"),
                v -> v != null && !v.isNull() && !v.get("finishedAt").isNull());
    }

    private static JsonNode table(JsonNode verification, String name) {
        for (JsonNode table : verification.get("tables")) {
            if (table.get("name").asText().equals(name)) {
                return table;
            }
        }
        throw new AssertionError(name + " not in " + verification.toPrettyString());
    }

    private static Map<String, Long> values(EmbeddedPostgres server) {
        Map<String, Long> values = new TreeMap<>();
        List<String> rows = Db.list(server, DB, String.class, "SELECT schemaname || '.' || sequencename || '=' "
                + "|| coalesce(last_value::text, 'null') FROM pg_sequences");
        for (String row : rows) {
            int eq = row.lastIndexOf('=');
            String value = row.substring(eq + 1);
            values.put(row.substring(0, eq), value.equals("null") ? null : Long.parseLong(value));
        }
        return values;
    }

    private static String note(JsonNode reports, String sequence) {
        for (JsonNode change : reports.at("/0/sequences")) {
            if ((change.get("schema").asText() + "." + change.get("name").asText()).equals(sequence)) {
                return change.get("note").asText();
            }
        }
        throw new AssertionError(sequence + " not in " + reports.toPrettyString());
    }

    private static String refusal(PgferryApp app, String uri) {
        return app.api().post().uri(uri).exchange((request, response) -> {
            assertThat(response.getStatusCode().value()).isEqualTo(409);
            return new String(response.getBody().readAllBytes());
        });
    }
}
