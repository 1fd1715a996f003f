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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tick looks at databases for a bounded time and never waits for a look past it: with the
 * first four databases' looks held (every place of the mapping busy), the ticks go on and show
 * every database as not looked at yet; released, those looks are taken by the next tick, and the
 * two databases not reached are looked at then, while a look that is held again (the fifth) holds
 * up nothing but its own database.
 */
class ObservationBudgetIT {

    private static final List<String> DATABASES = List.of("ob_1", "ob_2", "ob_3", "ob_4", "ob_5", "ob_6");
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void looksThatTakeLongHoldUpNeitherTheTickNorTheOtherDatabases() throws Exception {
        for (String db : DATABASES) {
            Db.execute(source, "postgres", "CREATE DATABASE " + db);
            Db.execute(source, db, "CREATE TABLE t (id int PRIMARY KEY)");
        }
        List<TickPauses.Pause> first = new ArrayList<>();
        for (String db : DATABASES.subList(0, 4)) {
            first.add(TickPauses.arm("observed", "budget", db));
        }
        TickPauses.Pause fifth = TickPauses.arm("observed", "budget", "ob_5");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("budget", "src", "dst", String.join(",", DATABASES), "plan").start()) {
            for (TickPauses.Pause pause : first) {
                assertThat(pause.awaitHeld(Duration.ofSeconds(60))).isTrue();
            }
            // the looks are held, the ticks are not: every database shown, none looked at yet
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, JsonNode> shown = databases(app.mapping("budget"));
                assertThat(shown.keySet()).containsExactlyElementsOf(DATABASES);
                assertThat(shown.values()).allSatisfy(d -> {
                    assertThat(d.at("/phase").asText()).isEqualTo("LOOKING");
                    assertThat(d.at("/reason").asText()).startsWith("not looked at yet");
                });
            });
            first.forEach(TickPauses.Pause::release);

            // the next ticks take the four and look at the other two; the fifth's look is held again
            assertThat(fifth.awaitHeld(Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, JsonNode> shown = databases(app.mapping("budget"));
                for (String db : List.of("ob_1", "ob_2", "ob_3", "ob_4", "ob_6")) {
                    assertThat(shown.get(db).at("/phase").asText()).as(db).isEqualTo("PLANNED");
                }
                assertThat(shown.get("ob_5").at("/phase").asText()).isEqualTo("LOOKING");
            });
            fifth.release();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(databases(app.mapping("budget"))
                    .values()).allSatisfy(d -> assertThat(d.at("/phase").asText()).isEqualTo("PLANNED")));
            assertThat(Db.list(destination, "postgres", String.class, "SELECT datname FROM pg_database "
                    + "WHERE datname LIKE 'ob\\_%'")).isEmpty();
        } finally {
            first.forEach(TickPauses.Pause::release);
            fifth.release();
        }
    }

    private static Map<String, JsonNode> databases(JsonNode mapping) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        mapping.at("/databases").forEach(d -> byName.put(d.at("/name").asText(), d));
        return byName;
    }
}
