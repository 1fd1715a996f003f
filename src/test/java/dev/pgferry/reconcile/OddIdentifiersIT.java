package dev.pgferry.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Quotes, spaces, capitals, unicode and reserved words in database, schema, table, column and
 * role names, migrated end to end; meanwhile another mapping's source never answers, and is
 * shown unreachable without holding this one up.
 */
class OddIdentifiersIT {

    static final String DB = "Shop \"Ünï\" Spaß";
    private static final String ORDER = "\"My Schema\".\"Order\"";
    private static final String EVENTS = "\"My Schema\".\"Events\"";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void oddNamesMigrateEndToEndWhileAnUnansweringInstanceIsShownUnreachable() throws Exception {
        Db.execute(source, "postgres",
                "CREATE ROLE \"App User\" LOGIN PASSWORD 'app pw'",
                "CREATE ROLE \"read'only\" NOLOGIN",
                "GRANT \"read'only\" TO \"App User\"",
                "CREATE DATABASE \"Shop \"\"Ünï\"\" Spaß\"");
        Db.execute(source, DB,
                "CREATE SCHEMA \"My Schema\" AUTHORIZATION \"App User\"",
                "CREATE TABLE " + ORDER + " (\"select\" int PRIMARY KEY, \"Weird \"\"Col\"\"\" text, \"Ünïcode\" text)",
                "ALTER TABLE " + ORDER + " OWNER TO \"App User\"",
                "GRANT SELECT ON " + ORDER + " TO \"read'only\"",
                "CREATE TABLE " + EVENTS + " (id bigserial, \"at\" date NOT NULL, \"Group\" text, PRIMARY KEY (id, \"at\"))"
                        + " PARTITION BY RANGE (\"at\")",
                "CREATE TABLE \"My Schema\".\"Events 2026\" PARTITION OF " + EVENTS
                        + " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "CREATE TABLE \"My Schema\".\"Events rest\" PARTITION OF " + EVENTS + " DEFAULT",
                "INSERT INTO " + ORDER + " SELECT g, 'it''s \"" + "quoted\" ' || g, 'Ünïcødé ✓ ' || g "
                        + "FROM generate_series(1, 500) g",
                "INSERT INTO " + EVENTS + " (\"at\", \"Group\") SELECT date '2025-12-01' + g, 'grp ' || (g % 7) "
                        + "FROM generate_series(1, 400) g");
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                        .mapping("odd", "src", "dst", DB, "run")
                        .deadInstance("silent", silent.getLocalPort())
                        .mapping("ghost", "silent", "dst", "whatever", "run").start()) {
            app.awaitPhase("odd", "READY", Duration.ofMinutes(3));
            Db.execute(source, DB,
                    "INSERT INTO " + ORDER + " VALUES (1000, 'new ''one''', 'ñ')",
                    "UPDATE " + ORDER + " SET \"Ünïcode\" = 'changed ✓' WHERE \"select\" % 10 = 0",
                    "DELETE FROM " + ORDER + " WHERE \"select\" BETWEEN 100 AND 150",
                    "INSERT INTO " + EVENTS + " (\"at\", \"Group\") VALUES ('2026-06-01', 'late')",
                    "DELETE FROM " + EVENTS + " WHERE \"Group\" = 'grp 3'");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.fingerprint(destination, DB, ORDER)).isEqualTo(Db.fingerprint(source, DB, ORDER));
                assertThat(Db.fingerprint(destination, DB, EVENTS)).isEqualTo(Db.fingerprint(source, DB, EVENTS));
            });
            assertRolesArrived();

            // the instance that never answers is shown unreachable (after its connect timeouts),
            // while the other mapping kept going
            JsonNode ghost = app.awaitPhase("ghost", "BLOCKED", Duration.ofMinutes(2));
            assertThat(ghost.at("/sourceError").asText()).contains("silent").contains("unreachable");
            assertThat(app.api().get().uri("/api/mappings/odd").retrieve().body(JsonNode.class).at("/phase")
                    .asText()).isEqualTo("READY");

            app.api().post().uri("/api/mappings/odd/complete").retrieve().toBodilessEntity();
            app.awaitPhase("odd", "COMPLETE", Duration.ofSeconds(30));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(source, "odd")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "odd")).isEmpty();
            assertThat(Db.publications(source, DB)).isEmpty();
        });
    }

    private void assertRolesArrived() throws Exception {
        assertThat(Db.query(destination, DB, String.class,
                "SELECT tableowner::text FROM pg_tables WHERE schemaname = 'My Schema' AND tablename = 'Order'"))
                .isEqualTo("App User");
        assertThat(Db.query(destination, DB, Boolean.class,
                "SELECT has_table_privilege('read''only', '\"My Schema\".\"Order\"', 'SELECT')")).isTrue();
        assertThat(Db.list(destination, "postgres", String.class, "SELECT r.rolname::text FROM pg_auth_members m "
                + "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'App User'"))
                .isEqualTo(List.of("read'only"));
        // the password hash came along: the application can log in to the destination as before
        try (Connection c = DriverManager.getConnection(destination.jdbcUrl("postgres"), "App User", "app pw")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }
}
