package dev.pgferry.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every block check triggered on real servers, all mappings in run mode: each database shows
 * BLOCKED with the check's id and fix, and nothing is created on either side.
 */
class PreflightIT {

    private static final EmbeddedPostgres S = TestServers.source();
    private static final EmbeddedPostgres S2 = TestServers.secondSource();
    private static final EmbeddedPostgres D = TestServers.destination();
    private static final EmbeddedPostgres UNFIT_S = TestServers.unfitSource();
    private static final EmbeddedPostgres UNFIT_D = TestServers.unfitDestination();

    /** mapping -> the check ids expected to block it. */
    private static final Map<String, List<String>> EXPECTED = new HashMap<>();

    @BeforeAll
    static void createTheTroubles() {
        table(S, "pf_nokey", "CREATE TABLE log (msg text)", "CREATE TABLE ok (id int PRIMARY KEY)");
        EXPECTED.put("nokey", List.of("source.tables_without_key"));

        table(S, "pf_busy", "CREATE TABLE t (id int PRIMARY KEY)");
        table(D, "pf_busy", "CREATE TABLE somebody_elses (id int PRIMARY KEY)", "INSERT INTO somebody_elses VALUES (1)");
        EXPECTED.put("busydest", List.of("destination.database_owned"));

        table(S, "pf_ext", "CREATE EXTENSION old_snapshot", "CREATE TABLE t (id int PRIMARY KEY)");
        EXPECTED.put("noext", List.of("destination.extensions"));

        Db.execute(S, "postgres", "CREATE ROLE pf_app LOGIN");
        Db.execute(D, "postgres", "CREATE ROLE pf_app NOLOGIN");
        table(S, "pf_roles", "CREATE TABLE t (id int PRIMARY KEY)", "ALTER TABLE t OWNER TO pf_app");
        EXPECTED.put("rolefight", List.of("roles.conflict"));

        EXPECTED.put("nodb", List.of("source.database"));

        table(S, "pf_names", "CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION pgferry_names_pf_names");
        Db.execute(S, "postgres", "SELECT pg_create_physical_replication_slot('pgferry_names_pf_names')");
        Db.execute(D, "postgres", "CREATE DATABASE pf_other");
        Db.execute(D, "pf_other", "CREATE SUBSCRIPTION pgferry_names_pf_names CONNECTION 'host=127.0.0.1 "
                + "dbname=nowhere' PUBLICATION nothing WITH (connect = false)");
        EXPECTED.put("names", List.of("source.slot_name", "source.publication_name", "destination.subscription_name"));

        table(S, "pf_enc", "CREATE TABLE t (id int PRIMARY KEY)");
        Db.execute(D, "postgres", "CREATE DATABASE pf_enc TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' "
                + "LC_CTYPE 'C'");
        EXPECTED.put("enc", List.of("database.locale", "destination.database_owned"));

        table(S, "pf_priv", "CREATE TABLE t (id int PRIMARY KEY)");
        Db.execute(S, "postgres", "CREATE ROLE pf_limited LOGIN PASSWORD 'limited-pw'");
        Db.execute(D, "postgres", "CREATE ROLE pf_dlimited LOGIN PASSWORD 'dlimited-pw'");
        EXPECTED.put("limited", List.of("source.privileges.replication", "source.privileges.read",
                "source.privileges.publication", "destination.privileges"));

        table(UNFIT_S, "pf_odd", "CREATE TABLE t (id int PRIMARY KEY)");
        EXPECTED.put("unfitsrc", List.of("source.wal_level", "source.replication_slots", "source.wal_senders"));

        table(S, "pf_odd2", "CREATE TABLE t (id int PRIMARY KEY)");
        EXPECTED.put("unfitdst", List.of("destination.replication_workers", "destination.replication_origins"));

        table(UNFIT_D, "pf_back", "CREATE TABLE t (id int PRIMARY KEY)");
        EXPECTED.put("backwards", List.of("versions", "host.pg_dump"));

        EXPECTED.put("deadsrc", List.of("source.reachable"));
        EXPECTED.put("nossl", List.of("source.reachable"));
        EXPECTED.put("badpw", List.of("destination.reachable"));

        table(S, "pf_claim", "CREATE TABLE t (id int PRIMARY KEY)");
        table(S2, "pf_claim", "CREATE TABLE t (id int PRIMARY KEY)");
        EXPECTED.put("bclaim", List.of("destination.database_claimed"));
    }

    @Test
    void everyBlockCheckShowsItsIdAndFixAndNothingIsCreated() throws Exception {
        List<String> destinationRolesBefore = roles(D);
        List<String> destinationDatabasesBefore = databases(D);
        // the host's client 15, so that an 18 server as a source meets a pg_dump too old for it
        try (PgferryApp app = new PgferryApp().hostClient().instance("s", S).instance("s2", S2).instance("d", D)
                .instance("unfits", UNFIT_S).instance("unfitd", UNFIT_D)
                .instance("slim", S, "pf_limited", "limited-pw").instance("dlim", D, "pf_dlimited", "dlimited-pw")
                .instance("dwrong", D, D.superuser(), "wrong password").deadInstance("dead", closedPort())
                .mapping("nokey", "s", "d", "pf_nokey", "run")
                .mapping("busydest", "s", "d", "pf_busy", "run")
                .mapping("noext", "s", "d", "pf_ext", "run")
                .mapping("rolefight", "s", "d", "pf_roles", "run")
                .property("pgferry.mappings.rolefight.role-conflict", "fail")
                .mapping("nodb", "s", "d", "pf_missing", "run")
                .mapping("names", "s", "d", "pf_names", "run")
                .mapping("enc", "s", "d", "pf_enc", "run")
                .mapping("limited", "slim", "dlim", "pf_priv", "run")
                .mapping("unfitsrc", "unfits", "d", "pf_odd", "run")
                .mapping("unfitdst", "s", "unfitd", "pf_odd2", "run")
                .mapping("backwards", "unfitd", "s", "pf_back", "run")
                .mapping("deadsrc", "dead", "d", "anything", "run")
                .instance("sslonly", S).property("pgferry.instances.sslonly.sslmode", "require")
                .mapping("nossl", "sslonly", "d", "pf_ssl", "run")
                .mapping("badpw", "s", "dwrong", "pf_busy", "run")
                .mapping("aclaim", "s2", "d", "", "plan")
                .mapping("bclaim", "s", "d", "pf_claim", "run")
                .start()) {
            for (Map.Entry<String, List<String>> expected : EXPECTED.entrySet()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    JsonNode db = database(app, expected.getKey());
                    assertThat(db.at("/phase").asText()).as(expected.getKey() + ": " + db).isEqualTo("BLOCKED");
                    List<String> blockedBy = new ArrayList<>();
                    db.at("/blockedBy").forEach(id -> blockedBy.add(id.asText()));
                    assertThat(blockedBy).as(expected.getKey() + ": " + db.at("/reason")).containsAll(expected.getValue());
                    for (String id : expected.getValue()) {
                        JsonNode check = check(db, id);
                        assertThat(check.at("/level").asText()).isEqualTo("block");
                        assertThat(check.at("/message").asText()).isNotBlank();
                        assertThat(check.at("/fix").asText()).as(id).isNotBlank();
                    }
                });
            }
            JsonNode wrongPassword = check(database(app, "badpw"), "destination.reachable");
            assertThat(wrongPassword.at("/message").asText()).contains("password authentication failed");
            JsonNode dead = check(database(app, "deadsrc"), "source.reachable");
            assertThat(dead.at("/message").asText()).contains("dead").contains("unreachable");
            assertThat(check(database(app, "nossl"), "source.reachable").at("/message").asText())
                    .containsIgnoringCase("SSL");
            JsonNode pgDump = check(database(app, "backwards"), "host.pg_dump");
            assertThat(pgDump.at("/fix").asText()).contains("postgresql-client-18");
            // a blocked database still shows what run mode would do, in order
            JsonNode plan = database(app, "nokey").at("/plannedActions");
            assertThat(plan.get(0).asText()).startsWith("create publication");
            assertThat(plan.get(plan.size() - 1).asText()).startsWith("copy pf_nokey from the exported snapshot")
                    .endsWith("then a subscription on the slot (copy_data = false)");
            preparationFollowsTheServers(app);
            // several more ticks: still nothing written
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(database(app, "nokey").at("/phase").asText()).isEqualTo("BLOCKED"));
        }
        assertNothingCreated(destinationRolesBefore, destinationDatabasesBefore);
    }

    /**
     * The preparation checklist of real servers: each item ticked exactly when the server already
     * satisfies it, with values for the mapping's databases (the page and its links from a
     * BLOCKED database: PreparationWebTest).
     */
    private static void preparationFollowsTheServers(PgferryApp app) {
        JsonNode unfit = app.api().get().uri("/api/mappings/unfitsrc/preparation").retrieve().body(JsonNode.class);
        JsonNode walLevel = item(unfit, "source", "ALTER SYSTEM SET wal_level");
        assertThat(walLevel.at("/change").asText()).isEqualTo("ALTER SYSTEM SET wal_level = logical;");
        assertThat(walLevel.at("/satisfied").asBoolean()).isFalse();
        assertThat(walLevel.at("/seen").asText()).isEqualTo("wal_level = replica");
        int sync = Db.query(D, "postgres", Integer.class, "SELECT setting::int FROM pg_settings "
                + "WHERE name = 'max_sync_workers_per_subscription'");
        JsonNode slots = item(unfit, "source", "ALTER SYSTEM SET max_replication_slots");
        assertThat(slots.at("/change").asText()).isEqualTo("ALTER SYSTEM SET max_replication_slots = " + (1 + sync)
                + ";");
        assertThat(slots.at("/satisfied").asBoolean()).isFalse();
        assertThat(item(unfit, "source", "ALTER SYSTEM SET max_wal_senders").at("/satisfied").asBoolean()).isFalse();
        assertThat(item(unfit, "destination", "ALTER SYSTEM SET max_logical_replication_workers")
                .at("/satisfied").asBoolean()).as("the destination of unfitsrc has room").isTrue();

        JsonNode unfitDestination = app.api().get().uri("/api/mappings/unfitdst/preparation").retrieve()
                .body(JsonNode.class);
        assertThat(item(unfitDestination, "destination", "ALTER SYSTEM SET max_active_replication_origins")
                .at("/satisfied").asBoolean()).isFalse();
        assertThat(item(unfitDestination, "destination", "ALTER SYSTEM SET max_logical_replication_workers")
                .at("/satisfied").asBoolean()).isFalse();
        assertThat(item(unfitDestination, "source", "ALTER SYSTEM SET wal_level").at("/satisfied").asBoolean())
                .isTrue();

        JsonNode limited = app.api().get().uri("/api/mappings/limited/preparation").retrieve().body(JsonNode.class);
        assertThat(item(limited, "source", "ALTER ROLE").at("/change").asText())
                .startsWith("ALTER ROLE \"pf_limited\" WITH REPLICATION;");
        assertThat(item(limited, "source", "ALTER ROLE").at("/satisfied").asBoolean()).isFalse();
        assertThat(item(limited, "destination", "ALTER ROLE").at("/satisfied").asBoolean()).isFalse();
        JsonNode superuser = app.api().get().uri("/api/mappings/nokey/preparation").retrieve().body(JsonNode.class);
        assertThat(item(superuser, "source", "ALTER ROLE").at("/satisfied").asBoolean()).isTrue();
        assertThat(item(superuser, "source", "host").at("/change").asText())
                .isEqualTo("host  pf_nokey  " + S.superuser() + "  127.0.0.1/32  scram-sha-256");
    }

    /** The first item on that side whose change starts with the text. */
    private static JsonNode item(JsonNode preparation, String side, String startsWith) {
        for (JsonNode server : preparation.at("/servers")) {
            if (server.at("/side").asText().equals(side)) {
                for (JsonNode group : server.at("/groups")) {
                    for (JsonNode item : group.at("/items")) {
                        if (item.at("/change").asText().startsWith(startsWith)) {
                            return item;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no item starting with " + startsWith + " on the " + side + ": "
                + preparation.toPrettyString());
    }

    @Test
    void warningsDoNotBlockAndTheExcludeRemedyLeavesKeylessTablesOut() throws Exception {
        table(S, "pf_exclude", "CREATE TABLE kept (id int PRIMARY KEY, v text)",
                "CREATE TABLE keyless (v text)", "CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)",
                "INSERT INTO kept SELECT g, 'v' || g FROM generate_series(1, 100) g",
                "INSERT INTO keyless SELECT 'v' || g FROM generate_series(1, 50) g",
                "SELECT lo_from_bytea(0, 'a large object')");
        try (PgferryApp app = new PgferryApp().instance("s", S).instance("d", D)
                .mapping("exclude", "s", "d", "pf_exclude", "run")
                .property("pgferry.mappings.exclude.tables-without-key", "exclude").start()) {
            JsonNode db = app.awaitPhase("exclude", "READY", Duration.ofMinutes(2)).at("/databases/0");
            assertThat(check(db, "source.tables_without_key").at("/level").asText()).isEqualTo("warn");
            assertThat(check(db, "source.unlogged_tables").at("/level").asText()).isEqualTo("warn");
            // read by the source user (a superuser here): copied with the snapshot, so no warning
            assertThat(check(db, "source.large_objects").at("/level").asText()).isEqualTo("ok");
            assertThat(check(db, "source.large_objects").at("/message").asText()).startsWith("1 large object(s)");
            assertThat(Db.query(D, "pf_exclude", String.class, "SELECT string_agg(convert_from(lo_get(oid), 'UTF8'), "
                    + "',') FROM pg_largeobject_metadata")).isEqualTo("a large object");
            Db.execute(S, "pf_exclude", "INSERT INTO kept VALUES (101, 'late')", "DELETE FROM keyless");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.fingerprint(D, "pf_exclude",
                    "kept")).isEqualTo(Db.fingerprint(S, "pf_exclude", "kept")));
        }
        // the keyless table's schema arrived, its rows did not; the source kept working on it
        assertThat(Db.query(D, "pf_exclude", Long.class, "SELECT count(*) FROM keyless")).isZero();
        assertThat(Db.query(S, "pf_exclude", String.class,
                "SELECT string_agg(tablename::text, ',' ORDER BY tablename) FROM pg_publication_tables"))
                .isEqualTo("kept");
    }

    private static void assertNothingCreated(List<String> rolesBefore, List<String> databasesBefore) {
        for (String db : List.of("pf_nokey", "pf_busy", "pf_ext", "pf_roles", "pf_names", "pf_enc", "pf_priv",
                "pf_odd2", "pf_claim")) {
            assertThat(Db.list(S, db, String.class, "SELECT pubname::text FROM pg_publication WHERE pubviaroot"))
                    .as("publications in " + db).isEmpty();
        }
        // other test classes may stream meanwhile: look at this class's names only
        String ours = "ARRAY(SELECT 'pgferry\\_' || m || '\\_%' FROM unnest(ARRAY['" + String.join("', '",
                EXPECTED.keySet()) + "', 'aclaim']) m)";
        assertThat(Db.list(S, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                + "WHERE slot_name LIKE ANY (" + ours + ")")).containsExactly("pgferry_names_pf_names");
        assertThat(Db.list(D, "postgres", String.class, "SELECT subname::text FROM pg_subscription "
                + "WHERE subname LIKE ANY (" + ours + ")")).containsExactly("pgferry_names_pf_names");
        assertThat(databases(D)).containsExactlyInAnyOrderElementsOf(databasesBefore);
        assertThat(roles(D)).containsExactlyInAnyOrderElementsOf(rolesBefore);
        if (Db.query(D, "postgres", Boolean.class, "SELECT to_regclass('pgferry.audit_log') IS NOT NULL")) {
            assertThat(Db.query(D, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log WHERE mapping = ANY "
                    + "(ARRAY['nokey', 'busydest', 'noext', 'rolefight', 'names', 'enc', 'limited', 'bclaim'])"))
                    .isZero();
        }
    }

    private static JsonNode database(PgferryApp app, String mapping) {
        JsonNode databases = app.mapping(mapping).at("/databases");
        if (databases.isEmpty()) {
            throw new AssertionError("mapping " + mapping + " not observed yet");
        }
        return databases.get(0);
    }

    private static JsonNode check(JsonNode database, String id) {
        for (JsonNode check : database.at("/checks")) {
            if (check.at("/id").asText().equals(id)) {
                return check;
            }
        }
        throw new AssertionError("no check " + id + " in " + database);
    }

    private static void table(EmbeddedPostgres server, String db, String... statements) {
        Db.execute(server, "postgres", "CREATE DATABASE " + db);
        Db.execute(server, db, statements);
    }

    private static List<String> roles(EmbeddedPostgres server) {
        return Db.list(server, "postgres", String.class, "SELECT rolname::text FROM pg_roles");
    }

    private static List<String> databases(EmbeddedPostgres server) {
        return Db.list(server, "postgres", String.class, "SELECT datname::text FROM pg_database");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
