package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.client.HttpClientErrorException;

/**
 * A cutover turned around (issue 18, first step): a 15 source and the 18 destination, an
 * application writing as its own role on the source until the freeze; freeze, drain, sequences,
 * verify, then reverse: the forward subscription, slot and publication go, the source subscribes
 * to the destination, and the databases show SWITCHED with a rollback-ready light. The
 * application then writes (inserts, updates, deletes, nextval) on the destination as the same
 * role, and every row reaches the source. Complete removes the reverse direction too: nothing of
 * pgferry's is left on either server, and unfreeze puts the source's roles and settings back.
 */
class ReverseIT {

    private final EmbeddedPostgres destination = TestServers.destination();
    // per source major (the destination is shared): a 16+ source subscribes with origin = none
    private EmbeddedPostgres source = TestServers.source();
    private String shopDb;
    private String mappingName;
    private String appRole;
    private SampleMigration migration;

    @ParameterizedTest(name = "PostgreSQL {0} source")
    @ValueSource(ints = {15, 17})
    void theDestinationsChangesFlowBackAfterTheSwitchAndCompleteLeavesNothing(int major) throws Exception {
        source = TestServers.source(major);
        shopDb = "rev_shop" + major;
        mappingName = "rev" + major;
        appRole = "rev_app" + major;
        migration = SampleMigration.of(source, destination, mappingName, shopDb);
        migration.create(2_000);
        Db.execute(source, "postgres", "CREATE ROLE " + appRole + " LOGIN PASSWORD 'app-pw'",
                "REVOKE CONNECT ON DATABASE " + shopDb + " FROM PUBLIC", "GRANT CONNECT ON DATABASE " + shopDb + " TO " + appRole);
        Db.execute(source, shopDb, "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + appRole,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + appRole);
        Map<String, List<String>> catalogsBefore = catalogs();
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping(mappingName, "src", "dst", shopDb, "run").property("pgferry.mappings." + mappingName + ".allow-freeze", "true")
                .property("pgferry.mappings." + mappingName + ".allow-reverse", "true").start()) {
            try (SampleWriter writer = new SampleWriter(source.jdbcUrl(shopDb), appRole, "app-pw", Duration.ofMillis(5),
                    Duration.ofMinutes(10))) {
                app.awaitPhase(mappingName, "READY", Duration.ofMinutes(3));
                // what the reverse direction will need, checked from the start: here all of it is there
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Map<String, String> levels = new TreeMap<>();
                    app.mapping(mappingName).at("/databases/0/checks").forEach(c -> levels.put(c.at("/id").asText(),
                            c.at("/level").asText()));
                    assertThat(levels).containsEntry("reverse.destination_reachable", "ok")
                            .containsEntry("reverse.destination_user", "ok").containsEntry("reverse.source_user", "ok")
                            .containsEntry("reverse.destination_wal_level", "ok");
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 50);
                // refused before the freeze: the source must stop taking writes first
                HttpClientErrorException early = org.junit.jupiter.api.Assertions.assertThrows(
                        HttpClientErrorException.class, () -> post(app, "reverse"));
                assertThat(early.getResponseBodyAsString()).contains("not frozen").contains("nothing changed");

                post(app, "freeze");
                long stopped = writer.transactions();
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                        .until(() -> writer.transactions() == stopped);
            }
            migration.drainAndSetSequences(app);
            // without a verification since the freeze: refused, unless forced
            HttpClientErrorException unverified = org.junit.jupiter.api.Assertions.assertThrows(
                    HttpClientErrorException.class, () -> post(app, "reverse"));
            assertThat(unverified.getResponseBodyAsString()).contains("verify first");
            migration.awaitEveryTableEqual();
            dev.pgferry.testing.PgferryVerification.everyTableEqual(app.api(), mappingName);
            // a replicated table that could not carry updates back blocks it, with its name
            Db.execute(destination, shopDb, "ALTER TABLE customers REPLICA IDENTITY NOTHING");
            HttpClientErrorException keyless = org.junit.jupiter.api.Assertions.assertThrows(
                    HttpClientErrorException.class, () -> post(app, "reverse"));
            assertThat(keyless.getResponseBodyAsString()).contains("public.customers")
                    .contains("without a primary key or replica identity");
            Db.execute(destination, shopDb, "ALTER TABLE customers REPLICA IDENTITY DEFAULT");

            JsonNode reversed = app.api().post().uri("/api/mappings/{m}/reverse", mappingName).retrieve()
                    .body(JsonNode.class);
            assertThat(reversed.at("/reversed").asInt()).isEqualTo(1);
            JsonNode switched = app.awaitPhase(mappingName, "SWITCHED", Duration.ofMinutes(1));
            ReplicationNames back = ReplicationNames.reverse(mappingName, shopDb);
            // the forward direction is gone, the reverse one is there
            assertThat(Db.publications(source, shopDb)).as("no publication left on the source").isEmpty();
            assertThat(Db.list(destination, "postgres", String.class, "SELECT subname::text FROM pg_subscription "
                    + "WHERE subname = ?", ReplicationNames.of(mappingName, shopDb).subscription())).isEmpty();
            assertThat(Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                    + "WHERE slot_name = ?", ReplicationNames.of(mappingName, shopDb).slot())).isEmpty();
            assertThat(Db.publications(destination, shopDb)).containsExactly(back.publication());
            assertThat(Db.list(destination, "postgres", String.class, "SELECT slot_name::text FROM "
                    + "pg_replication_slots WHERE slot_name = ?", back.slot())).hasSize(1);
            assertThat(Db.list(source, shopDb, String.class, "SELECT subname::text FROM pg_subscription WHERE subname = ?",
                    back.subscription())).hasSize(1);
            assertThat(switched.at("/databases/0/reason").asText()).contains("flow back to the source");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(app.mapping(mappingName).at("/rollbackReady").asBoolean()).isTrue());
            assertThat(step(app, "reverse").get("state").asText()).isEqualTo("done");
            // the source stays frozen for the applications while its changes come from the destination
            HttpClientErrorException unfreeze = org.junit.jupiter.api.Assertions.assertThrows(
                    HttpClientErrorException.class, () -> post(app, "unfreeze"));
            assertThat(unfreeze.getResponseBodyAsString()).contains("SWITCHED");

            // the application writes on the destination, as its own role (copied with its password)
            try (SampleWriter writer = new SampleWriter(destination.jdbcUrl(shopDb), appRole, "app-pw", Duration.ofMillis(5),
                    Duration.ofMinutes(10))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 200);
            }
            // every change reached the source (checked independently of pgferry)
            migration.awaitEveryTableEqual();
            // and the source's sequences follow the destination's: going back hands out no value used there
            Map<String, Long> used = sequenceValues(destination);
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                Map<String, Long> kept = sequenceValues(source);
                used.forEach((name, value) -> assertThat(kept.get(name)).as(name).isGreaterThanOrEqualTo(value));
                assertThat(app.mapping(mappingName).at("/databases/0/reverse/sequencesKeptBack/at").isNull()).isFalse();
            });
            assertThat(Db.query(source, shopDb, Long.class, "SELECT count(*) FROM orders"))
                    .isEqualTo(Db.query(destination, shopDb, Long.class, "SELECT count(*) FROM orders"));

            post(app, "complete");
            app.awaitPhase(mappingName, "COMPLETE", Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(source, mappingName)).isEmpty();
                assertThat(Db.pgferryObjects(destination, mappingName)).isEmpty();
                assertThat(Db.publications(source, shopDb)).isEmpty();
                assertThat(Db.publications(destination, shopDb)).isEmpty();
            });
            post(app, "unfreeze");
            assertThat(catalogs()).as("every role and setting as before the freeze").isEqualTo(catalogsBefore);
            assertThat(Db.list(destination, "postgres", String.class, "SELECT action FROM pgferry.audit_log "
                    + "WHERE mapping = ? AND actor = ? ORDER BY id", mappingName, PgferryApp.OPERATOR)).containsSubsequence(
                    "freeze", "drain", "sync-sequences", "verify", "reverse", "complete", "unfreeze");
        } finally {
            Db.execute(source, "postgres", "ALTER ROLE " + appRole + " LOGIN");
        }
    }

    /**
     * The other way out: after the switch the application writes on the destination, then rollback
     * freezes it there, the source receives everything, its sequences pass every value used on the
     * destination, every table is verified, the source is unfrozen and the reverse direction goes:
     * the application writes on the source again, and nothing of pgferry's is left on either side.
     */
    @Test
    void aRollbackBringsEveryChangeBackAndTheApplicationWritesOnTheSourceAgain() throws Exception {
        String db = "rb_shop";
        String mapping = "rb";
        String role = "rb_app";
        SampleMigration back = SampleMigration.of(source, destination, mapping, db).create(2_000);
        Db.execute(source, "postgres", "CREATE ROLE " + role + " LOGIN PASSWORD 'app-pw'",
                "REVOKE CONNECT ON DATABASE " + db + " FROM PUBLIC", "GRANT CONNECT ON DATABASE " + db + " TO " + role);
        Db.execute(source, db, "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + role,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + role,
                // a large object of the application's, copied with the snapshot and changed on the destination
                "SET ROLE " + role, "SELECT lo_from_bytea(515151, 'before the switch')", "RESET ROLE");
        Map<String, List<String>> catalogsBefore = catalogs();
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping(mapping, "src", "dst", db, "run").property("pgferry.mappings.rb.allow-freeze", "true")
                .property("pgferry.mappings.rb.allow-reverse", "true").start()) {
            // the application writes on the source, as its own role, until the freeze stops it
            try (SampleWriter writer = new SampleWriter(source.jdbcUrl(db), role, "app-pw", Duration.ofMillis(5),
                    Duration.ofMinutes(10))) {
                app.awaitPhase(mapping, "READY", Duration.ofMinutes(3));
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 50);
                post(app, mapping, "freeze");
                long stopped = writer.transactions();
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                        .until(() -> writer.transactions() == stopped);
            }
            back.drainAndSetSequences(app);
            dev.pgferry.testing.PgferryVerification.everyTableEqual(app.api(), mapping);
            // rollback before turning around: refused, nothing changes
            HttpClientErrorException early = org.junit.jupiter.api.Assertions.assertThrows(
                    HttpClientErrorException.class, () -> post(app, mapping, "rollback"));
            assertThat(early.getResponseBodyAsString()).contains("only a mapping turned around");
            post(app, mapping, "reverse");
            app.awaitPhase(mapping, "SWITCHED", Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(app.mapping(mapping).at("/rollbackReady").asBoolean()).isTrue());

            // the application works on the destination until the rollback stops it there
            try (SampleWriter writer = new SampleWriter(destination.jdbcUrl(db), role, "app-pw", Duration.ofMillis(5),
                    Duration.ofMinutes(10))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 200);
                Db.execute(destination, db, "SET ROLE " + role, "SELECT lo_put(515151, 0, 'BEFORE')",
                        "SELECT lo_from_bytea(525252, 'created on the destination')", "RESET ROLE");
                JsonNode rolling = app.api().post().uri("/api/mappings/{m}/rollback", mapping).retrieve()
                        .body(JsonNode.class);
                assertThat(rolling.at("/rollingBack").asInt()).isEqualTo(1);
                long stopped = writer.transactions();
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                        .until(() -> writer.transactions() == stopped);
            }
            JsonNode rolledBack = app.awaitPhase(mapping, "ROLLED_BACK", Duration.ofMinutes(2));
            assertThat(rolledBack.at("/databases/0/reason").asText()).contains("rolled back at");
            back.assertEveryTableEqual();
            // the large objects the application wrote on the destination are back on the source, its own
            assertThat(Db.list(source, db, String.class, "SELECT oid || ' ' || pg_get_userbyid(lomowner) || ' ' "
                    + "|| convert_from(lo_get(oid), 'UTF8') FROM pg_largeobject_metadata ORDER BY oid"))
                    .containsExactly("515151 " + role + " BEFORE the switch", "525252 " + role
                            + " created on the destination");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(source, mapping)).isEmpty();
                assertThat(Db.pgferryObjects(destination, mapping)).isEmpty();
                assertThat(Db.publications(source, db)).isEmpty();
                assertThat(Db.publications(destination, db)).isEmpty();
            });
            // the source is as before the first freeze; the destination's application is frozen there
            assertThat(catalogs()).as("every role and setting of the source as before the freeze")
                    .isEqualTo(catalogsBefore);
            assertThat(Db.query(destination, "postgres", Boolean.class, "SELECT rolcanlogin FROM pg_roles "
                    + "WHERE rolname = ?", role)).isFalse();
            Map<String, Long> usedOnDestination = sequenceValues(destination, db);
            Map<String, Long> onSource = sequenceValues(source, db);
            usedOnDestination.forEach((name, value) -> assertThat(onSource.get(name)).as(name)
                    .isGreaterThanOrEqualTo(value));
            // the application writes on the source again: no key handed out twice
            try (SampleWriter writer = new SampleWriter(source.jdbcUrl(db), role, "app-pw", Duration.ofMillis(5),
                    Duration.ofMinutes(10))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 100);
            }
            assertThat(Db.list(destination, "postgres", String.class, "SELECT action FROM pgferry.audit_log "
                    + "WHERE mapping = ? ORDER BY id", mapping)).containsSubsequence("reverse", "freeze destination",
                    "rollback", "rollback done");
            // the rolled-back mapping says how it went back, from the audit log
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode completion = app.api().get().uri("/api/mappings/{m}/cutover", mapping).retrieve()
                        .body(JsonNode.class).at("/completion");
                assertThat(completion.findValuesAsText("id")).as(completion.toPrettyString())
                        .startsWith("rollback", "reverse");
                assertThat(completion.get(0).get("detail").asText()).startsWith("done by ");
                assertThat(completion.get(1).get("detail").asText()).startsWith("done by ");
            });
            post(app, mapping, "unfreeze-destination");
            assertThat(Db.query(destination, "postgres", Boolean.class, "SELECT rolcanlogin FROM pg_roles "
                    + "WHERE rolname = ?", role)).isTrue();
        } finally {
            Db.execute(source, "postgres", "ALTER ROLE " + role + " LOGIN");
        }
    }

    private static void post(PgferryApp app, String mapping, String action) {
        app.api().post().uri("/api/mappings/{m}/" + action, mapping).retrieve().toBodilessEntity();
    }

    private void post(PgferryApp app, String action) {
        app.api().post().uri("/api/mappings/{m}/" + action, mappingName).retrieve().toBodilessEntity();
    }

    private JsonNode step(PgferryApp app, String id) {
        JsonNode checklist = app.api().get().uri("/api/mappings/{m}/cutover", mappingName).retrieve().body(JsonNode.class);
        for (JsonNode step : checklist.get("steps")) {
            if (step.get("id").asText().equals(id)) {
                return step;
            }
        }
        throw new AssertionError("no step " + id + " in " + checklist.toPrettyString());
    }

    private Map<String, Long> sequenceValues(EmbeddedPostgres server) {
        return sequenceValues(server, shopDb);
    }

    private static Map<String, Long> sequenceValues(EmbeddedPostgres server, String db) {
        Map<String, Long> values = new TreeMap<>();
        for (String row : Db.list(server, db, String.class, "SELECT schemaname || '.' || sequencename || '=' || "
                + "coalesce(last_value, 0) FROM pg_sequences")) {
            int at = row.lastIndexOf('=');
            values.put(row.substring(0, at), Long.parseLong(row.substring(at + 1)));
        }
        return values;
    }

    /** The catalogs a freeze touches, as text rows: roles, role and database settings. */
    private Map<String, List<String>> catalogs() {
        Map<String, List<String>> catalogs = new TreeMap<>();
        catalogs.put("roles", Db.list(source, "postgres", String.class, "SELECT row(rolname, rolcanlogin, "
                + "rolconnlimit, rolconfig)::text FROM pg_roles ORDER BY rolname"));
        catalogs.put("settings", Db.list(source, "postgres", String.class, "SELECT row(d.datname, r.rolname, "
                + "s.setconfig)::text FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase "
                + "LEFT JOIN pg_roles r ON r.oid = s.setrole ORDER BY 1"));
        return catalogs;
    }
}
