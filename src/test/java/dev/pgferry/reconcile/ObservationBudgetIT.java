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
 * A tick looks at databases for a bounded time: with the first four databases held past that
 * time (every slot of the tick busy), the first tick shows the other two as not looked at yet
 * instead of waiting for them, and the next tick, at once, looks at those two first.
 */
class ObservationBudgetIT {

    private static final List<String> DATABASES = List.of("ob_1", "ob_2", "ob_3", "ob_4", "ob_5", "ob_6");
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void databasesNotReachedInTimeAreShownNotLookedAtYetAndLookedAtFirstNext() throws Exception {
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
            // past the tick's time for looking (1.5 s) with every slot held
            Thread.sleep(MappingReconciler.OBSERVE_BUDGET.toMillis() + 1000);
            first.forEach(TickPauses.Pause::release);

            // the next tick comes at once and looks at the two it did not reach first
            assertThat(fifth.awaitHeld(Duration.ofSeconds(30))).isTrue();
            Map<String, JsonNode> shown = databases(app.mapping("budget"));
            assertThat(shown.keySet()).containsExactlyElementsOf(DATABASES);
            for (String db : DATABASES.subList(0, 4)) {
                assertThat(shown.get(db).at("/phase").asText()).as(db).isEqualTo("PLANNED");
            }
            for (String db : DATABASES.subList(4, 6)) {
                assertThat(shown.get(db).at("/phase").asText()).as(db).isEqualTo("LOOKING");
                assertThat(shown.get(db).at("/reason").asText()).startsWith("not looked at yet");
            }
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
