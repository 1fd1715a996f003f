package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.HttpClientErrorException;

/**
 * The freeze through pgferry, on a source instance shared with an unmapped database: only the
 * roles that use the mapping's database are frozen (the role of the other database, and a role
 * that may merely connect through PUBLIC, keep their login); two freezes at once: one wins, the
 * other gets 409 and the records on the source match the changes exactly; with the destination
 * stopped, unfreeze restores everything as it was, from the records on the source, and removes them.
 */
class FreezeScopeIT {

    private static final String DB = "fs_shop";
    private static final String OTHER = "fs_other";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.spareDestination();

    @Test
    void onlyTheMappingsRolesAreFrozenOneOfTwoFreezesWinsAndUnfreezeNeedsOnlyTheSource() throws Exception {
        Db.execute(source, "postgres", "CREATE ROLE fs_app LOGIN PASSWORD 'app-pw'",
                "CREATE ROLE fs_other_app LOGIN PASSWORD 'other-pw'", "CREATE ROLE fs_monitoring LOGIN",
                "CREATE ROLE fs_owners NOLOGIN", "CREATE ROLE fs_batch LOGIN IN ROLE fs_owners",
                "CREATE DATABASE " + DB, "CREATE DATABASE " + OTHER + " OWNER fs_other_app");
        Db.execute(source, DB, "CREATE TABLE orders (id int PRIMARY KEY, total int)",
                "INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g",
                "GRANT SELECT, INSERT, UPDATE ON orders TO fs_app", "CREATE TABLE ledger (id int PRIMARY KEY)",
                "ALTER TABLE ledger OWNER TO fs_owners");
        Db.execute(source, OTHER, "CREATE TABLE notes (id int PRIMARY KEY)");
        List<String> before = catalogs();
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("fs", "src", "dst", DB, "run").property("pgferry.mappings.fs.allow-freeze", "true").start();
                Connection other = session(OTHER, "fs_other_app", "other-pw");
                Connection shop = session(DB, "fs_app", "app-pw")) {
            app.awaitPhase("fs", "READY", Duration.ofMinutes(2));
            JsonNode outlook = app.api().get().uri("/api/mappings/fs/cutover").retrieve().body(JsonNode.class);
            assertThat(outlook.at("/freeze/rolesToFreeze").toString()).contains("fs_app (holds privileges on objects "
                    + "in fs_shop; has 1 session(s)").contains("fs_batch (member of fs_owners, which owns objects")
                    .doesNotContain("fs_other_app").doesNotContain("fs_monitoring");

            // two freezes at once: one wins, one is refused
            ExecutorService two = Executors.newFixedThreadPool(2);
            Callable<Integer> freeze = () -> {
                try {
                    app.api().post().uri("/api/mappings/fs/freeze?force=true").retrieve().toBodilessEntity();
                    return 200;
                } catch (HttpClientErrorException e) {
                    assertThat(e.getResponseBodyAsString()).contains("is frozen already");
                    return e.getStatusCode().value();
                }
            };
            List<Future<Integer>> answers = two.invokeAll(List.of(freeze, freeze));
            two.shutdown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
            assertThat(login("fs_app")).isFalse();
            assertThat(login("fs_batch")).isFalse();
            assertThat(login("fs_other_app")).as("the unmapped database's role keeps its login").isTrue();
            assertThat(login("fs_monitoring")).as("connecting through PUBLIC uses nothing").isTrue();
            assertThat(shop.isValid(2)).as("the mapped role's session was ended").isFalse();
            assertThat(other.isValid(2)).as("the other database's session goes on").isTrue();
            assertThat(Db.list(source, "postgres", String.class, "SELECT kind || ' ' || target FROM "
                    + "pgferry.freeze_change WHERE mapping = 'fs' ORDER BY 1")).as("records match the changes")
                    .containsExactly("database-read-only fs_shop", "role-login fs_app", "role-login fs_batch");

            // the destination goes away (the usual reason to roll back): unfreeze needs only the source
            destination.stop();
            try {
                JsonNode unfrozen = app.api().post().uri("/api/mappings/fs/unfreeze").retrieve().body(JsonNode.class);
                assertThat(unfrozen.at("/restored")).hasSize(3);
                assertThat(catalogs()).as("every role and setting as before the freeze").isEqualTo(before);
                assertThat(Db.query(source, "postgres", Long.class, "SELECT count(*) FROM pg_namespace "
                        + "WHERE nspname = 'pgferry'")).as("no ledger left on the source").isZero();
            } finally {
                destination.startAgain();
            }
            // back: once the circuit breaker lets connections through again, this pgferry takes the lease
            java.time.Instant restarted = java.time.Instant.now();
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode mapping = app.mapping("fs");
                assertThat(java.time.Instant.parse(mapping.at("/observedAt").asText())).isAfter(restarted);
                assertThat(mapping.at("/active").asBoolean()).as(mapping.toPrettyString()).isTrue();
                assertThat(mapping.at("/phase").asText()).isIn("STREAMING", "READY");
            });
            app.api().post().uri("/api/mappings/fs/complete?force=true").retrieve().toBodilessEntity();
            app.awaitPhase("fs", "COMPLETE", Duration.ofMinutes(1));
        } finally {
            Db.execute(source, "postgres", "DROP DATABASE IF EXISTS " + OTHER + " WITH (FORCE)");
        }
    }

    private Connection session(String database, String user, String password) throws Exception {
        var props = new java.util.Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return java.sql.DriverManager.getConnection(source.jdbcUrl(database), props);
    }

    private boolean login(String role) {
        return Db.query(source, "postgres", Boolean.class, "SELECT rolcanlogin FROM pg_roles WHERE rolname = ?", role);
    }

    private List<String> catalogs() {
        return Db.list(source, "postgres", String.class, """
                SELECT 'role ' || row(rolname, rolcanlogin, rolconnlimit, rolconfig)::text FROM pg_roles
                WHERE rolname LIKE 'fs\\_%'
                UNION ALL
                SELECT 'setting ' || row(d.datname, s.setrole, s.setconfig)::text
                FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname LIKE 'fs\\_%'
                ORDER BY 1""");
    }
}
