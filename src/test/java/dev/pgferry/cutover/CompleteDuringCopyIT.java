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
import org.junit.jupiter.api.Test;

/**
 * A forced "complete" in the middle of a throttled snapshot copy: the copy is stopped before the
 * completion is recorded, so nothing it would still have loaded overwrites what the applications
 * write on the destination from then on; the slot and publication are removed, and no
 * subscription is ever created.
 */
class CompleteDuringCopyIT {

    private static final String DB = "fc_shop";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void aForcedCompleteStopsTheCopyAndRowsWrittenAfterwardsStay() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 40_000);
        }
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("fc", "src", "dst", DB, "run").property("pgferry.mappings.fc.copy-workers", "1")
                .property("pgferry.mappings.fc.copy-max-rate", "256KB").start()) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(app.mapping("fc").at("/databases/0/copyBytesDone").asLong()).isPositive());

            JsonNode completed = app.api().post().uri("/api/mappings/fc/complete?force=true").retrieve()
                    .body(JsonNode.class);
            assertThat(completed.at("/phase").asText()).as(completed.toString()).isEqualTo("COMPLETE");
            // a table the copy had not reached: the application writes its first row there now
            String untouched = SampleSchema.TABLES[0];
            for (String table : SampleSchema.TABLES) {
                if (Db.query(destination, DB, Long.class, "SELECT count(*) FROM " + table) == 0) {
                    untouched = table;
                }
            }
            assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM " + untouched))
                    .as("some table was not reached by the copy at 256 kB/s").isZero();
            String table = untouched;
            insertOneRow(table);
            String written = Db.fingerprint(destination, DB, table);
            await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(40)).untilAsserted(() ->
                    assertThat(Db.fingerprint(destination, DB, table)).as(table + " as the application left it")
                            .isEqualTo(written));
            assertThat(Db.pgferryObjects(source, "fc")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "fc")).isEmpty();
            assertThat(Db.publications(source, DB)).isEmpty();
            assertThat(app.mapping("fc").at("/databases/0/phase").asText()).isEqualTo("COMPLETE");
        }
    }

    /** One row as the application would write it: the first row of the source's table, with its own values. */
    private void insertOneRow(String table) {
        List<String> columns = Db.list(source, DB, String.class, "SELECT quote_ident(attname) FROM pg_attribute "
                + "WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' "
                + "ORDER BY attnum", table);
        String list = String.join(", ", columns);
        String values = Db.query(source, DB, String.class, "SELECT format('(%s)', concat_ws(', ', "
                + String.join(", ", columns.stream().map(c -> "quote_nullable(" + c + ")").toList()) + ")) FROM "
                + table + " ORDER BY 1 LIMIT 1");
        Db.execute(destination, DB, "SET session_replication_role = replica",
                "INSERT INTO " + table + " (" + list + ") VALUES " + values);
    }
}
