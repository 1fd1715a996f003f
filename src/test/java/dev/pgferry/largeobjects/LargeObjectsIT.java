package dev.pgferry.largeobjects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Large objects on real servers (17 -> 18), read by a source user that is no superuser: one it
 * may not read blocks the start with the fix named; once it may, every object (empty, small,
 * larger than one piece) arrives with the snapshot copy with its owner and rights (grants of the
 * owner and of another role, an odd owner name); objects created, changed and unlinked while
 * streaming are not streamed and arrive with the cutover step sync-large-objects, which a second
 * time finds nothing to do.
 */
class LargeObjectsIT {

    private static final String DB = "lo_shop";
    private static final String OWNER = "\"lo Owner é\"";

    /** Each object as a superuser sees it on one side: oid, owner, sorted rights, size and digest. */
    private static final String OBJECTS = """
            SELECT m.oid || ' ' || pg_get_userbyid(m.lomowner) || ' '
                   || coalesce(array(SELECT x::text FROM unnest(m.lomacl) x ORDER BY 1)::text, 'default') || ' '
                   || octet_length(lo_get(m.oid)) || ' ' || md5(lo_get(m.oid))
            FROM pg_largeobject_metadata m ORDER BY m.oid""";

    private final EmbeddedPostgres source = TestServers.source(17);
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void largeObjectsArriveWithTheCopyAndTheCutoverStepWithTheirOwnersAndRights() throws Exception {
        Db.execute(source, "postgres",
                "CREATE ROLE " + OWNER + " NOLOGIN",
                "CREATE ROLE lo_reader NOLOGIN",
                "CREATE ROLE lo_app NOLOGIN",
                "CREATE ROLE lo_migrator LOGIN REPLICATION PASSWORD 'lo migrator secret'",
                "GRANT pg_read_all_data TO lo_migrator",
                "GRANT " + OWNER + " TO lo_migrator",
                "GRANT CREATE ON DATABASE postgres TO lo_migrator",
                "CREATE DATABASE " + DB + " OWNER " + OWNER);
        try (Connection c = Db.connect(source, DB)) {
            c.createStatement().execute("SET ROLE " + OWNER);
            SampleSchema.create(c, 50);
        }
        long small = lo("SET ROLE " + OWNER, "SELECT lo_from_bytea(0, 'hello')");
        // larger than the piece that travels in a batch (256 kB): the rest follows piece by piece
        long large = lo("SET ROLE " + OWNER, "SELECT lo_from_bytea(0, convert_to(repeat('large object ', 50000), "
                + "'UTF8'))");
        long empty = lo("SET ROLE " + OWNER, "SELECT lo_create(0)");
        long foreign = lo("SET ROLE lo_app", "SELECT lo_from_bytea(0, 'not readable by the migrator')");
        Db.execute(source, DB, "SET ROLE " + OWNER,
                "GRANT SELECT ON LARGE OBJECT " + large + " TO lo_reader WITH GRANT OPTION",
                "GRANT UPDATE ON LARGE OBJECT " + large + " TO lo_app",
                "SET ROLE lo_reader",
                "GRANT SELECT ON LARGE OBJECT " + large + " TO PUBLIC",
                "RESET ROLE");

        try (PgferryApp app = new PgferryApp().instance("src", source, "lo_migrator", "lo migrator secret")
                .instance("dst", destination).mapping("lo", "src", "dst", DB, "run")
                .property("pgferry.mappings.lo.copy-method", "snapshot").start()) {
            // one object the source user may not read: the start is blocked, naming it and the fix
            JsonNode blocked = app.awaitPhase("lo", "BLOCKED", Duration.ofMinutes(1));
            JsonNode check = check(blocked, "source.large_objects");
            assertThat(check.at("/level").asText()).isEqualTo("block");
            assertThat(check.at("/message").asText()).contains("1 of 4 large object(s)", "first: " + foreign);
            assertThat(check.at("/fix").asText()).contains("GRANT <owner> TO <user>");
            assertThat(Db.list(destination, "postgres", String.class, "SELECT datname::text FROM pg_database "
                    + "WHERE datname = '" + DB + "'")).as("nothing created while blocked").isEmpty();

            Db.execute(source, "postgres", "GRANT lo_app TO lo_migrator");
            JsonNode ready = app.awaitPhase("lo", "READY", Duration.ofMinutes(3));
            assertThat(check(ready, "source.large_objects").at("/message").asText())
                    .contains("4 large object(s)", "copied with the snapshot");
            assertThat(objects(destination)).as("every object with the snapshot copy, owners and rights")
                    .hasSize(4).isEqualTo(objects(source));
            assertThat(Db.query(destination, DB, String.class, "SELECT pg_get_userbyid(lomowner) FROM "
                    + "pg_largeobject_metadata WHERE oid = " + large)).isEqualTo("lo Owner é");

            // while streaming: one created, one changed, one unlinked, one given new rights; none of it streams
            long added = lo("SET ROLE " + OWNER, "SELECT lo_from_bytea(0, 'created while streaming')");
            Db.execute(source, DB, "SET ROLE " + OWNER, "SELECT lo_put(" + small + ", 0, 'HELLO')",
                    "SELECT lo_unlink(" + empty + ")",
                    "SET ROLE lo_app",
                    "GRANT SELECT ON LARGE OBJECT " + foreign + " TO lo_reader",
                    "RESET ROLE");
            assertThat(objects(destination)).isNotEqualTo(objects(source));

            JsonNode synced = app.api().post().uri("/api/mappings/lo/sync-large-objects").retrieve()
                    .body(JsonNode.class);
            assertThat(synced.at("/0/error").isNull()).as(synced.toPrettyString()).isTrue();
            assertThat(synced.at("/0/outcome/objects").asLong()).isEqualTo(4);
            assertThat(synced.at("/0/outcome/copied").asLong()).as("new, changed, new rights").isEqualTo(3);
            assertThat(synced.at("/0/outcome/rewritten").asLong()).isEqualTo(2);
            assertThat(synced.at("/0/outcome/removed").asLong()).isEqualTo(1);
            assertThat(synced.at("/0/outcome/unchanged").asLong()).isEqualTo(1);
            assertThat(objects(destination)).isEqualTo(objects(source));
            assertThat(Db.query(destination, DB, String.class, "SELECT convert_from(lo_get(" + added + "), 'UTF8')"))
                    .isEqualTo("created while streaming");

            JsonNode again = app.api().post().uri("/api/mappings/lo/sync-large-objects").retrieve()
                    .body(JsonNode.class);
            assertThat(again.at("/0/outcome/copied").asLong()).as("nothing left to copy").isZero();
            assertThat(again.at("/0/outcome/unchanged").asLong()).isEqualTo(4);
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT count(*) FROM pgferry.audit_log "
                    + "WHERE action = 'sync-large-objects' AND mapping = 'lo'")).isEqualTo(2L);
            JsonNode step = step(app.api().get().uri("/api/mappings/lo/cutover").retrieve().body(JsonNode.class),
                    "sync-large-objects");
            assertThat(step.at("/notes/0").asText()).contains(DB + ": 0 copied, 0 removed, 4 unchanged");
            assertThat(app.api().get().uri("/api/mappings/lo/database?name=" + DB).retrieve().body(JsonNode.class)
                    .at("/largeObjects/outcome/unchanged").asLong()).isEqualTo(4);

            app.api().post().uri("/api/mappings/lo/complete").retrieve().toBodilessEntity();
            app.awaitPhase("lo", "COMPLETE", Duration.ofMinutes(1));
            assertThat(objects(destination)).as("complete keeps the data it moved").isEqualTo(objects(source));
        }
    }

    private long lo(String role, String create) {
        try (Connection c = Db.connect(source, DB)) {
            c.createStatement().execute(role);
            var rs = c.createStatement().executeQuery(create);
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> objects(EmbeddedPostgres server) {
        return Db.list(server, DB, String.class, OBJECTS);
    }

    private static JsonNode check(JsonNode mapping, String id) {
        for (JsonNode check : mapping.at("/databases/0/checks")) {
            if (check.at("/id").asText().equals(id)) {
                return check;
            }
        }
        throw new AssertionError("no check " + id + " in " + mapping.at("/databases/0/checks").toPrettyString());
    }

    private static JsonNode step(JsonNode cutover, String id) {
        for (JsonNode step : cutover.at("/steps")) {
            if (step.at("/id").asText().equals(id)) {
                return step;
            }
        }
        throw new AssertionError("no step " + id + " in " + cutover.toPrettyString());
    }
}
