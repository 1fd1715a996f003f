package dev.pgferry.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import dev.pgferry.testing.WebhookReceiver;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;

/**
 * What operators watch, against real servers: one observation session per database kept
 * between ticks and replaced when cut off; exact counts on demand equal count(*) on each
 * side and are audited, as is a fidelity check; a disabled subscription raises an alert (API, metrics) that clears once
 * it is enabled again; the Prometheus metrics and the health groups answer; a webhook is told each
 * change once, signed, while another that never answers holds up nothing.
 */
class ObservabilityIT {

    private static final String DB = "obs_shop";
    private static final String SUBSCRIPTION = "pgferry_obs_obs_shop";
    private static final String HOOK_KEY = "hook-signing-key";

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void exactCountsAlertsMetricsAndHealthFollowTheServers() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 300);
        }
        try (WebhookReceiver ops = WebhookReceiver.answering(); WebhookReceiver stuck = WebhookReceiver.hanging();
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("obs", "src", "dst", DB, "run").property("pgferry.poll-interval", "1s")
                .property("pgferry.notify.ops.url", ops.url()).property("pgferry.notify.ops.secret", HOOK_KEY)
                .property("pgferry.notify.stuck.url", stuck.url()).start()) {
            app.awaitPhase("obs", "READY", Duration.ofMinutes(3));

            // observations keep one session per database between ticks, and replace one cut off
            List<Integer> before = sessions(source);
            assertThat(before).as("pgferry's sessions on the source database").hasSize(1);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(sessions(source)).isEqualTo(before));
            Db.execute(source, "postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'pgferry' AND backend_type = 'client backend' AND datname = '" + DB + "'");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sessions(source))
                    .hasSize(1).doesNotContainAnyElementsOf(before));
            JsonNode afterCut = app.mapping("obs");
            assertThat(afterCut.at("/sourceError").isNull()).as(afterCut.toPrettyString()).isTrue();
            assertThat(afterCut.at("/databases/0/phase").asText()).isIn("READY", "STREAMING");

            var queued = app.api().post().uri("/api/mappings/obs/database/count?name={db}", DB).retrieve()
                    .toEntity(JsonNode.class);
            assertThat(queued.getStatusCode().value()).isEqualTo(202);
            JsonNode counted = await().atMost(Duration.ofMinutes(1)).until(() -> database(app),
                    d -> "done".equals(d.at("/exactCount/state").asText()));
            assertThat(counted.at("/exactCount/tablesDone").asInt()).isEqualTo(SampleSchema.TABLES.length);
            for (JsonNode table : counted.get("tables")) {
                String name = table.get("name").asText();
                assertThat(table.get("exactSourceRows").asLong()).as(name)
                        .isEqualTo(Db.query(source, DB, Long.class, "SELECT count(*) FROM public." + name));
                assertThat(table.get("exactDestinationRows").asLong()).as(name)
                        .isEqualTo(Db.query(destination, DB, Long.class, "SELECT count(*) FROM public." + name));
                assertThat(table.get("exactDelta").asLong()).as(name).isZero();
            }
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log "
                    + "WHERE action = 'count-rows' AND mapping = 'obs' AND database = ? AND actor = ?", DB,
                    PgferryApp.OPERATOR)).isEqualTo(1L);
            JsonNode fidelity = app.api().post().uri("/api/mappings/obs/fidelity").retrieve().body(JsonNode.class);
            assertThat(fidelity.at("/0/differences")).as(fidelity.toPrettyString()).isEmpty();
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log "
                    + "WHERE action = 'fidelity' AND mapping = 'obs' AND actor = ?", PgferryApp.OPERATOR))
                    .isEqualTo(1L);

            Db.execute(destination, DB, "ALTER SUBSCRIPTION " + SUBSCRIPTION + " DISABLE");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode alerts = app.api().get().uri("/api/alerts").retrieve().body(JsonNode.class);
                assertThat(alerts.findValuesAsText("kind")).contains("subscription.disabled");
                assertThat(prometheus(app))
                        .contains("pgferry_alerts{kind=\"subscription.disabled\",mapping=\"obs\"} 1.0");
            });
            assertThat(app.mapping("obs").at("/cutoverReady").asBoolean()).isFalse();
            Db.execute(destination, DB, "ALTER SUBSCRIPTION " + SUBSCRIPTION + " ENABLE");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    app.api().get().uri("/api/alerts").retrieve().body(JsonNode.class).findValuesAsText("kind"))
                    .doesNotContain("subscription.disabled"));

            String metrics = prometheus(app);
            assertThat(metrics).contains("pgferry_tick_seconds_count{mapping=\"obs\"}")
                    .contains("pgferry_database_lag_bytes{database=\"obs_shop\",mapping=\"obs\"}")
                    .contains("pgferry_database_wal_retained_bytes{database=\"obs_shop\",mapping=\"obs\"}")
                    .contains("pgferry_instance_up{instance=\"src\"} 1.0")
                    // what the chart's PgferryNoTick rule compares (time() - last > 3 * interval)
                    .contains("pgferry_tick_last_seconds{mapping=\"obs\"}")
                    .contains("pgferry_tick_interval_seconds{mapping=\"obs\"}")
                    .contains("pgferry_actions_total{action=\"StartSnapshotCopy\",mapping=\"obs\",outcome=\"ok\"} 1.0")
                    .contains("pgferry_database_phase{database=\"obs_shop\",mapping=\"obs\",phase=\"READY\"}")
                    // the Resilience4j parts: a circuit breaker per instance, the copy bulkheads per source
                    .contains("resilience4j_circuitbreaker_state{name=\"pg-src\",state=\"closed\"} 1.0")
                    .contains("resilience4j_bulkhead_available_concurrent_calls{name=\"copy-workers-src\"}")
                    .contains("resilience4j_bulkhead_available_concurrent_calls{name=\"copy-databases-src\"}");
            RestClient anonymous = RestClient.create("http://127.0.0.1:" + app.port());
            for (String group : new String[] {"liveness", "readiness"}) {
                JsonNode health = anonymous.get().uri("/actuator/health/" + group).retrieve().body(JsonNode.class);
                assertThat(health.get("status").asText()).as(group).isEqualTo("UP");
            }
            HttpStatusCode scrapeWithoutLogin = anonymous.get().uri("/actuator/prometheus").exchange(
                    (request, response) -> response.getStatusCode());
            assertThat(scrapeWithoutLogin.value()).isEqualTo(401);

            app.awaitPhase("obs", "READY", Duration.ofMinutes(1));
            app.api().post().uri("/api/mappings/obs/complete").retrieve().toBodilessEntity();
            app.awaitPhase("obs", "COMPLETE", Duration.ofSeconds(30));
            toldOnceEach(ops);
            // a receiver that never answers (its requests timed out and were tried again) held up its own
            // messages only: every tick and step above went on
            assertThat(prometheus(app)).contains("pgferry_notifications_total{outcome=\"sent\",target=\"stuck\"} 0.0")
                    .containsPattern("pgferry_notifications_total\\{outcome=\"retried\",target=\"stuck\"} [1-9]")
                    .containsPattern("pgferry_notifications_total\\{outcome=\"sent\",target=\"ops\"} [1-9]");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(source, "obs")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "obs")).isEmpty();
        });
    }

    /**
     * The webhook was told each change once, signed: the database's phases as a chain of changes
     * (each message's previous phase is the one told before, never the same again), the
     * cutover-ready light on and off in turn, the alert raised and cleared once, each audited
     * action once, and the completion.
     */
    private static void toldOnceEach(WebhookReceiver ops) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(told(ops, "phase"))
                .extracting(m -> m.at("/facts/phase").asText()).last().isEqualTo("COMPLETE"));
        for (WebhookReceiver.Received message : ops.received()) {
            assertThat(message.signature()).as(message.body()).isEqualTo(hmac(message.body()));
        }
        List<JsonNode> phases = told(ops, "phase");
        assertThat(phases).extracting(m -> m.at("/facts/phase").asText()).contains("READY");
        for (int i = 1; i < phases.size(); i++) {
            assertThat(phases.get(i).at("/facts/previousPhase").asText()).as(phases.toString())
                    .isEqualTo(phases.get(i - 1).at("/facts/phase").asText())
                    .isNotEqualTo(phases.get(i).at("/facts/phase").asText());
        }
        List<String> ready = told(ops, "ready").stream().map(m -> m.at("/facts/cutoverReady").asText()).toList();
        assertThat(ready).as("on, off (subscription disabled), on again").startsWith("true", "false", "true");
        for (int i = 1; i < ready.size(); i++) {
            assertThat(ready.get(i)).as(ready.toString()).isNotEqualTo(ready.get(i - 1));
        }
        assertThat(told(ops, "alert")).filteredOn(m -> m.at("/facts/alert").asText().equals("subscription.disabled"))
                .extracting(m -> m.at("/facts/state").asText()).containsExactly("raised", "cleared");
        List<String> actions = told(ops, "action").stream().map(m -> m.at("/facts/action").asText()).toList();
        for (String action : List.of("count-rows", "fidelity", "complete")) {
            assertThat(actions).as(actions.toString()).containsOnlyOnce(action);
        }
        assertThat(told(ops, "action")).allSatisfy(m -> assertThat(m.at("/mapping").asText()).isEqualTo("obs"));
        assertThat(ops.received()).noneSatisfy(m -> assertThat(m.body()).contains("secret-token-42"));
    }

    private static List<JsonNode> told(WebhookReceiver receiver, String event) {
        return receiver.received().stream().map(WebhookReceiver.Received::json)
                .filter(m -> m.at("/event").asText().equals(event)).toList();
    }

    private static String hmac(String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(HOOK_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "HmacSHA256"));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(
                    body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> sessions(EmbeddedPostgres server) {
        return Db.list(server, "postgres", Integer.class, "SELECT pid FROM pg_stat_activity "
                + "WHERE application_name = 'pgferry' AND backend_type = 'client backend' AND datname = ? ORDER BY pid", DB);
    }

    private static JsonNode database(PgferryApp app) {
        return app.api().get().uri("/api/mappings/obs/database?name={db}", DB).retrieve().body(JsonNode.class);
    }

    private static String prometheus(PgferryApp app) {
        return app.api().get().uri("/actuator/prometheus").retrieve().body(String.class);
    }
}
