package dev.pgferry.reconcile;

import static dev.pgferry.reconcile.NativeMigrationIT.createSampleDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two sources into one destination: two mappings run side by side in one pgferry. */
class ManyToManyIT {

    private final EmbeddedPostgres first = TestServers.source();
    private final EmbeddedPostgres second = TestServers.secondSource();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void twoSourcesMoveIntoOneDestinationTogether() throws Exception {
        createSampleDatabase(first, "alpha");
        createSampleDatabase(second, "beta");
        try (PgferryApp app = new PgferryApp().instance("east", first).instance("west", second)
                .instance("target", destination)
                .mapping("fromeast", "east", "target", "alpha", "run")
                .mapping("fromwest", "west", "target", "beta", "run").start()) {
            app.awaitPhase("fromeast", "READY", Duration.ofMinutes(3));
            app.awaitPhase("fromwest", "READY", Duration.ofMinutes(3));
            Db.execute(first, "alpha", "INSERT INTO products (title, price) VALUES ('east only', 1)");
            Db.execute(second, "beta", "DELETE FROM order_items WHERE order_id < 100");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String table : SampleSchema.TABLES) {
                    assertThat(Db.fingerprint(destination, "alpha", table)).isEqualTo(Db.fingerprint(first, "alpha",
                            table));
                    assertThat(Db.fingerprint(destination, "beta", table)).isEqualTo(Db.fingerprint(second, "beta",
                            table));
                }
            });
            JsonNode all = app.api().get().uri("/api/mappings").retrieve().body(JsonNode.class);
            assertThat(all).hasSize(2);
            assertThat(all.findValuesAsText("destination")).containsOnly("target");

            app.api().post().uri("/api/mappings/fromeast/complete").retrieve().toBodilessEntity();
            app.awaitPhase("fromeast", "COMPLETE", Duration.ofSeconds(30));
            // completing one mapping leaves the other one streaming
            app.awaitPhase("fromwest", "READY", Duration.ofSeconds(30));
            app.api().post().uri("/api/mappings/fromwest/complete").retrieve().toBodilessEntity();
            app.awaitPhase("fromwest", "COMPLETE", Duration.ofSeconds(30));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(first, "fromeast")).isEmpty();
            assertThat(Db.pgferryObjects(second, "fromwest")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "fromeast")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "fromwest")).isEmpty();
        });
    }
}
