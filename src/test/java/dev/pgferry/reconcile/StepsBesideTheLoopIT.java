package dev.pgferry.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.faults.TickPauses;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A step that takes long (here: held right before its {@code CREATE DATABASE}) runs beside the
 * loop: the mapping goes on ticking, the database shows the step it is at and is not acted on
 * again, the mapping's other database is copied and streams meanwhile, and once the step goes on
 * the held database follows. Issue 24: no tick stalls.
 */
class StepsBesideTheLoopIT {

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void aHeldStepHoldsUpNeitherTheTicksNorTheOtherDatabases() throws Exception {
        for (String db : new String[] {"slow_db", "quick_db"}) {
            Db.execute(source, "postgres", "CREATE DATABASE " + db);
            Db.execute(source, db, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            Db.execute(source, db, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
        }
        TickPauses.Pause held = TickPauses.arm("before:CreateDatabase", "beside", "slow_db");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("beside", "src", "dst", "slow_db,quick_db", "run").start()) {
            assertThat(held.awaitHeld(Duration.ofSeconds(60))).as("the step was reached").isTrue();

            // the other database goes all the way while the step is held
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(databases(app.mapping("beside"))
                    .get("quick_db").at("/phase").asText()).isEqualTo("READY"));
            JsonNode slow = databases(app.mapping("beside")).get("slow_db");
            assertThat(slow.at("/reason").asText()).startsWith("running now: create database slow_db");
            // and the mapping keeps being looked at: its observation time moves on
            Instant before = Instant.parse(app.mapping("beside").at("/observedAt").asText());
            await().atMost(Duration.ofSeconds(30)).until(() -> Instant.parse(app.mapping("beside")
                    .at("/observedAt").asText()).isAfter(before));
            assertThat(Db.list(destination, "postgres", String.class, "SELECT datname::text FROM pg_database "
                    + "WHERE datname = 'slow_db'")).as("nothing created while held").isEmpty();

            held.release();
            app.awaitPhase("beside", "READY", Duration.ofMinutes(2));
            for (String db : new String[] {"slow_db", "quick_db"}) {
                assertThat(Db.fingerprint(destination, db, "t")).as(db).isEqualTo(Db.fingerprint(source, db, "t"));
            }
            app.api().post().uri("/api/mappings/beside/complete").retrieve().toBodilessEntity();
            app.awaitPhase("beside", "COMPLETE", Duration.ofMinutes(1));
        } finally {
            held.release();
        }
    }

    private static Map<String, JsonNode> databases(JsonNode mapping) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        mapping.at("/databases").forEach(d -> byName.put(d.at("/name").asText(), d));
        return byName;
    }
}
