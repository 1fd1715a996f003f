package dev.pgferry.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
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
        SampleMigration east = SampleMigration.of(first, destination, "fromeast", "alpha").create(5_000);
        SampleMigration west = SampleMigration.of(second, destination, "fromwest", "beta").create(5_000);
        try (PgferryApp app = new PgferryApp().instance("east", first).instance("west", second)
                .instance("target", destination)
                .mapping("fromeast", "east", "target", "alpha", "run")
                .mapping("fromwest", "west", "target", "beta", "run").start()) {
            app.awaitPhase("fromeast", "READY", Duration.ofMinutes(3));
            app.awaitPhase("fromwest", "READY", Duration.ofMinutes(3));
            Db.execute(first, "alpha", "INSERT INTO products (title, price) VALUES ('east only', 1)");
            Db.execute(second, "beta", "DELETE FROM order_items WHERE order_id < 100");
            east.awaitEveryTableEqual();
            west.awaitEveryTableEqual();
            JsonNode all = app.api().get().uri("/api/mappings").retrieve().body(JsonNode.class);
            assertThat(all).hasSize(2);
            assertThat(all.findValuesAsText("destination")).containsOnly("target");

            east.completeLeavingNothing(app);
            // completing one mapping leaves the other one streaming
            app.awaitPhase("fromwest", "READY", Duration.ofSeconds(30));
            west.completeLeavingNothing(app);
        }
    }
}
