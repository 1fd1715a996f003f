package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.web.client.HttpClientErrorException;

/**
 * The whole cutover of a mapping through the JSON API, on real servers, while an application
 * writes (inserts, updates, deletes, sequence use) as its own role until the freeze stops it:
 * freeze, drain, sequences, materialized views, verify, complete, unfreeze. Afterwards every
 * table has the same rows and checksum on both sides, every destination sequence is at least the
 * source's, nothing of pgferry's replication is left on either server, and the source's roles and
 * settings are exactly as before the freeze.
 */
class WholeCutoverIT {

    private final EmbeddedPostgres destination = TestServers.destination();
    // per source major: the destination is shared, so its databases, roles and mappings differ
    private EmbeddedPostgres source;
    private String mapping;
    private String db;
    private String writerRole;
    private String readerRole;
    private String quotedReader;

    /**
     * Every source major pgferry moves: 16 and 17 with the client the image ships (18), 15 with
     * Debian 12's own client 15, what a laptop has (the other tests give 15 sources the 18 client).
     */
    @ParameterizedTest(name = "PostgreSQL {0} source, pg_dump {1}")
    @CsvSource({"15, 15", "16, 18", "17, 18"})
    void theWholeCutoverLosesNothingAndLeavesTheSourceAsItWas(int major, int client) throws Exception {
        source = TestServers.source(major);
        mapping = "cut" + major;
        db = "cut_shop" + major;
        writerRole = "cut_writer" + major;
        readerRole = "Cut \"Reader\" " + major;
        quotedReader = "\"" + readerRole.replace("\"", "\"\"") + "\"";
        assertThat(Db.query(source, "postgres", Integer.class, "SELECT current_setting('server_version_num')::int / 10000"))
                .isEqualTo(major);
        Db.execute(source, "postgres", "CREATE DATABASE " + db);
        try (Connection c = Db.connect(source, db)) {
            SampleSchema.create(c, 200);
            c.createStatement().execute("CREATE MATERIALIZED VIEW order_totals AS SELECT status, count(*) AS n "
                    + "FROM orders GROUP BY status");
        }
        // the applications' roles: only they may connect (other tests' roles are not this mapping's business)
        Db.execute(source, "postgres", "CREATE ROLE " + writerRole + " LOGIN PASSWORD 'writer-pw'",
                "CREATE ROLE " + quotedReader + " LOGIN PASSWORD 'reader-pw' CONNECTION LIMIT 5",
                "CREATE ROLE cut_group NOLOGIN", "GRANT cut_group TO " + writerRole,
                "REVOKE CONNECT ON DATABASE " + db + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + db + " TO " + writerRole + ", " + quotedReader,
                "ALTER ROLE " + writerRole + " IN DATABASE " + db + " SET work_mem = '8MB'",
                "ALTER DATABASE " + db + " SET default_transaction_read_only = off");
        Db.execute(source, db, "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + writerRole,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + writerRole,
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + quotedReader);
        List<String> originsBefore = origins();

        try (SampleWriter writer = new SampleWriter(source.jdbcUrl(db), writerRole, "writer-pw", Duration.ofMillis(2),
                Duration.ofMinutes(10));
                Connection reader = connect(readerRole, "reader-pw");
                PgferryApp app = client(new PgferryApp(), client).instance("src", source).instance("dst", destination)
                        .mapping(mapping, "src", "dst", db, "run")
                        .property("pgferry.mappings." + mapping + ".allow-freeze", "true")
                        .property("pgferry.verify-chunk-rows", "150").start()) {
            app.awaitPhase(mapping, "READY", Duration.ofMinutes(3));
            JsonNode pgDump = StreamSupport.stream(app.mapping(mapping).at("/databases/0/checks").spliterator(), false)
                    .filter(check -> check.at("/id").asText().equals("host.pg_dump")).findFirst().orElseThrow();
            assertThat(pgDump.at("/message").asText()).isEqualTo("pg_dump " + client + " on this host");
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 50);
            Map<String, List<String>> catalogsBefore = catalogs();

            // the checklist before the freeze: what it will do, for this mapping
            JsonNode checklist = cutover(app);
            assertThat(checklist.at("/freeze/allowed").asBoolean()).isTrue();
            assertThat(checklist.at("/freeze/rolesToFreeze").toString()).contains(writerRole).contains(json(readerRole));
            assertThat(step(checklist, "freeze").get("commands").toString())
                    .contains(json("ALTER ROLE " + quotedReader + " NOLOGIN"));
            assertThat(checklist.at("/connections/0/to").asText())
                    .isEqualTo("postgresql://" + destination.host() + ":" + destination.port() + "/" + db);

            // freeze: the applications' roles cannot log in, their sessions end, the writes stop
            JsonNode frozen = app.api().post().uri("/api/mappings/{m}/freeze", mapping).retrieve().body(JsonNode.class);
            assertThat(frozen.at("/plan/roles").findValuesAsText("name")).containsExactlyInAnyOrder(writerRole, readerRole);
            assertThat(frozen.at("/sessionsEnded").asLong()).as(frozen.toPrettyString()).isGreaterThanOrEqualTo(1);
            assertThat(frozen.at("/plan/roles").findValuesAsText("name")).doesNotContain("cut_group",
                    source.superuser());
            assertThatThrownBy(() -> connect(writerRole, "writer-pw").close()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("not permitted to log in");
            await().atMost(Duration.ofSeconds(10)).until(() -> !reader.isValid(2));
            long stopped = writer.transactions();
            // the writer is stopped by the freeze: no transaction of it for 1.5 s
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                    .until(() -> writer.transactions() == stopped);
            assertThat(Db.query(source, db, String.class, "SHOW default_transaction_read_only")).isEqualTo("on");
            assertThat(step(cutover(app), "freeze").get("state").asText()).isEqualTo("done");

            // drain: once no session holds a transaction id, the freeze point; then drained
            JsonNode[] points = new JsonNode[1];
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> points[0] = app.api().post()
                    .uri("/api/mappings/{m}/drain", mapping).retrieve().body(JsonNode.class));
            assertThat(points[0].at("/0/database").asText()).isEqualTo(db);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(app.mapping(mapping)
                    .at("/databases/0/drained").asBoolean()).isTrue());

            JsonNode sequences = app.api().post().uri("/api/mappings/{m}/sync-sequences", mapping).retrieve()
                    .body(JsonNode.class);
            assertThat(sequences.at("/0/error").isNull()).as(sequences.toPrettyString()).isTrue();
            Map<String, Long> sourceSequences = sequenceValues(source);
            Map<String, Long> destinationSequences = sequenceValues(destination);
            assertThat(destinationSequences.keySet()).isEqualTo(sourceSequences.keySet());
            sourceSequences.forEach((name, value) -> assertThat(destinationSequences.get(name)).as(name)
                    .isGreaterThanOrEqualTo(value));

            JsonNode views = app.api().post().uri("/api/mappings/{m}/refresh-matviews", mapping).retrieve().body(JsonNode.class);
            assertThat(views.at("/0/views/0/refreshed").asBoolean()).as(views.toPrettyString()).isTrue();
            assertThat(Db.list(destination, db, String.class, "SELECT status || '=' || n FROM order_totals ORDER BY 1"))
                    .isEqualTo(Db.list(source, db, String.class, "SELECT status || '=' || n FROM order_totals "
                            + "ORDER BY 1"));

            app.api().post().uri("/api/mappings/{m}/verify", mapping).retrieve().toBodilessEntity();
            JsonNode verified = awaitVerification(app);
            assertThat(verified.at("/error").isNull()).as(verified.toPrettyString()).isTrue();
            assertThat(verified.at("/tables").findValuesAsText("name")).containsAll(List.of(SampleSchema.TABLES));
            for (JsonNode table : verified.get("tables")) {
                assertThat(table.get("firstDifference").isNull()).as(table.toPrettyString()).isTrue();
                assertThat(table.get("destinationRows").asLong()).isEqualTo(table.get("sourceRows").asLong());
            }
            // and independently of pgferry: every row of every table, on both sides
            SampleMigration.of(source, destination, mapping, db).assertEveryTableEqual();
            assertThat(step(cutover(app), "verify").get("state").asText()).isEqualTo("done");
            // the applications' roles are NOLOGIN on the source now: that is the freeze, not drift
            JsonNode fidelity = app.api().post().uri("/api/mappings/{m}/fidelity", mapping).retrieve()
                    .body(JsonNode.class);
            assertThat(fidelity.at("/0/differences")).as(fidelity.toPrettyString()).isEmpty();

            app.api().post().uri("/api/mappings/{m}/complete", mapping).retrieve().toBodilessEntity();
            app.awaitPhase(mapping, "COMPLETE", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(source, mapping)).isEmpty();
                assertThat(Db.pgferryObjects(destination, mapping)).isEmpty();
                assertThat(Db.publications(source, db)).isEmpty();
                assertThat(origins()).isEqualTo(originsBefore);
            });
            // complete leaves the freeze: an application still pointed at the source must not write there
            assertThat(cutover(app).at("/freeze/frozen").asBoolean()).isTrue();
            // the completed mapping says how it went, from the audit log: each step pgferry did, by whom and when
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode completion = cutover(app).at("/completion");
                java.util.Map<String, JsonNode> steps = new java.util.LinkedHashMap<>();
                completion.forEach(step -> steps.put(step.get("id").asText(), step));
                assertThat(steps.keySet()).as(completion.toPrettyString()).startsWith("complete", "freeze", "drain");
                for (String id : List.of("complete", "freeze", "drain", "sync-sequences", "refresh-matviews", "verify")) {
                    assertThat(steps.get(id).get("state").asText()).as(id).isEqualTo("done");
                    assertThat(steps.get(id).get("detail").asText()).as(id)
                            .startsWith("done by " + PgferryApp.OPERATOR + " at ");
                }
                assertThat(steps.get("verify").get("detail").asText()).as("the verification's result").contains(": ");
                assertThat(steps.get("switch").get("state").asText()).isEqualTo("manual");
            });

            JsonNode unfrozen = app.api().post().uri("/api/mappings/{m}/unfreeze", mapping).retrieve().body(JsonNode.class);
            assertThat(unfrozen.at("/restored").size()).isEqualTo(3);
            assertThat(catalogs()).as("every role and setting as before the freeze").isEqualTo(catalogsBefore);
            connect(writerRole, "writer-pw").close();
            assertThat(cutover(app).at("/freeze/frozen").asBoolean()).isFalse();
            HttpClientErrorException again = org.junit.jupiter.api.Assertions.assertThrows(
                    HttpClientErrorException.class, () -> app.api().post().uri("/api/mappings/{m}/unfreeze", mapping).retrieve()
                            .toBodilessEntity());
            assertThat(again.getResponseBodyAsString()).contains("not frozen");

            assertThat(Db.list(destination, "postgres", String.class, "SELECT action FROM pgferry.audit_log "
                    + "WHERE mapping = ? AND actor = ? ORDER BY id", mapping, PgferryApp.OPERATOR)).containsSubsequence(
                    "freeze", "drain", "sync-sequences", "refresh-matviews", "verify", "complete", "unfreeze");
        } finally {
            Db.execute(source, "postgres", "ALTER ROLE " + writerRole + " LOGIN", "ALTER ROLE " + quotedReader + " LOGIN");
        }
    }

    private static PgferryApp client(PgferryApp app, int client) {
        return client == 18 ? app : app.hostClient();
    }

    /** The text as it stands inside a JSON string. */
    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private Connection connect(String role, String password) throws SQLException {
        var props = new java.util.Properties();
        props.setProperty("user", role);
        props.setProperty("password", password);
        return DriverManager.getConnection(source.jdbcUrl(db), props);
    }

    private JsonNode cutover(PgferryApp app) {
        return app.api().get().uri("/api/mappings/{m}/cutover", mapping).retrieve().body(JsonNode.class);
    }

    private static JsonNode step(JsonNode checklist, String id) {
        for (JsonNode step : checklist.get("steps")) {
            if (step.get("id").asText().equals(id)) {
                return step;
            }
        }
        throw new AssertionError("no step " + id + " in " + checklist.toPrettyString());
    }

    private JsonNode awaitVerification(PgferryApp app) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            last[0] = app.mapping(mapping).at("/databases/0/verification");
            assertThat(last[0].at("/finishedAt").isNull()).as(last[0].toPrettyString()).isFalse();
        });
        return last[0];
    }

    /** The catalogs a freeze touches, as text rows: roles, role and database settings, databases. */
    private Map<String, List<String>> catalogs() {
        Map<String, List<String>> catalogs = new TreeMap<>();
        catalogs.put("roles", Db.list(source, "postgres", String.class, "SELECT row(rolname, rolsuper, rolinherit, "
                + "rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil, "
                + "rolconfig)::text FROM pg_roles ORDER BY rolname"));
        catalogs.put("settings", Db.list(source, "postgres", String.class, "SELECT row(d.datname, r.rolname, "
                + "s.setconfig)::text FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase "
                + "LEFT JOIN pg_roles r ON r.oid = s.setrole ORDER BY 1"));
        catalogs.put("databases", Db.list(source, "postgres", String.class, "SELECT row(datname, datconnlimit, "
                + "datallowconn, datacl)::text FROM pg_database ORDER BY datname"));
        catalogs.put("memberships", Db.list(source, "postgres", String.class, "SELECT row(roleid::regrole, "
                + "member::regrole, admin_option)::text FROM pg_auth_members ORDER BY 1"));
        return catalogs;
    }

    private Map<String, Long> sequenceValues(EmbeddedPostgres server) {
        Map<String, Long> values = new TreeMap<>();
        for (String row : Db.list(server, db, String.class, "SELECT schemaname || '.' || sequencename || '=' || "
                + "coalesce(last_value, 0) FROM pg_sequences")) {
            int at = row.lastIndexOf('=');
            values.put(row.substring(0, at), Long.parseLong(row.substring(at + 1)));
        }
        return values;
    }

    private List<String> origins() {
        return Db.list(destination, "postgres", String.class, "SELECT roname FROM pg_replication_origin ORDER BY 1");
    }
}
