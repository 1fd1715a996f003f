package dev.pgferry.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * pgferry never takes a destination database it did not create for its own, in run mode with the
 * snapshot copy, across a restart: one created beforehand by someone else that holds only an
 * unlogged table and a materialized view, and one that holds a regular table while a stale
 * publication of pgferry's name sits on the source, are both BLOCKED by destination.database_owned
 * and stay exactly as they were (same OID, owner, privileges, settings, objects and rows). An
 * empty one handed over with ADOPT_DATABASES is recorded as pgferry's and migrated into, kept
 * (same OID), never dropped.
 */
class OwnershipIT {

    private static final String MAPPING = "owner";
    private static final String UNLOGGED = "own_unlogged";
    private static final String STALE = "own_stale";
    private static final String ADOPTED = "own_adopted";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    private PgferryApp app() {
        return new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping(MAPPING, "src", "dst", String.join(",", UNLOGGED, STALE, ADOPTED), "run")
                .property("pgferry.mappings." + MAPPING + ".adopt-databases", ADOPTED);
    }

    @Test
    void databasesPgferryDidNotCreateAreBlockedAndUntouchedAcrossARestartAndAnEmptyOneHandedOverIsUsed() {
        for (String db : List.of(UNLOGGED, STALE, ADOPTED)) {
            Db.execute(source, "postgres", "CREATE DATABASE " + db);
            Db.execute(source, db, "CREATE TABLE items (id int PRIMARY KEY, name text)",
                    "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g");
        }
        // someone else's databases on the destination, and a publication left by an abandoned run
        Db.execute(destination, "postgres", "CREATE ROLE own_app LOGIN", "CREATE DATABASE " + UNLOGGED
                + " OWNER own_app", "CREATE DATABASE " + STALE, "CREATE DATABASE " + ADOPTED,
                "REVOKE CONNECT ON DATABASE " + UNLOGGED + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + UNLOGGED + " TO own_app",
                "ALTER DATABASE " + UNLOGGED + " SET work_mem = '8MB'");
        Db.execute(destination, UNLOGGED, "CREATE UNLOGGED TABLE scratch (id int, note text)",
                "INSERT INTO scratch SELECT g, 'keep me ' || g FROM generate_series(1, 300) g",
                "CREATE MATERIALIZED VIEW scratch_summary AS SELECT count(*) AS n FROM scratch");
        Db.execute(destination, STALE, "CREATE TABLE theirs (id int PRIMARY KEY)",
                "INSERT INTO theirs SELECT generate_series(1, 40)");
        Db.execute(source, STALE, "CREATE PUBLICATION pgferry_owner_own_stale FOR TABLE items "
                + "WITH (publish_via_partition_root = true)");
        List<String> before = List.of(databaseRow(UNLOGGED), databaseRow(STALE), contents(UNLOGGED), contents(STALE));
        long adoptedOid = oid(ADOPTED);

        try (PgferryApp app = app().start()) {
            awaitBlocked(app, UNLOGGED, "holds 2 user object(s)");
            awaitBlocked(app, STALE, "no ownership record");
            JsonNode adopted = awaitDatabase(app, ADOPTED, "READY");
            assertThat(check(adopted, "destination.database_owned").at("/message").asText())
                    .contains("handed over to pgferry (ADOPT_DATABASES)");
        }
        try (PgferryApp app = app().start()) {
            String first = app.mapping(MAPPING).at("/observedAt").asText();
            awaitTicks(app, first, 3);
            awaitBlocked(app, UNLOGGED, "not pgferry's");
            awaitBlocked(app, STALE, "not pgferry's");
            assertThat(List.of(databaseRow(UNLOGGED), databaseRow(STALE), contents(UNLOGGED), contents(STALE)))
                    .as("same OID, owner, privileges, settings, objects and rows").isEqualTo(before);
            assertThat(Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                    + "WHERE slot_name IN ('pgferry_owner_own_unlogged', 'pgferry_owner_own_stale')")).isEmpty();
            assertThat(oid(ADOPTED)).as("the database handed over is used, never created again").isEqualTo(adoptedOid);
            assertThat(Db.fingerprint(destination, ADOPTED, "items")).isEqualTo(Db.fingerprint(source, ADOPTED,
                    "items"));
        } finally {
            Db.execute(source, STALE, "DROP PUBLICATION IF EXISTS pgferry_owner_own_stale");
        }
    }

    @Test
    void recordsInASchemaPgferrysUserDoesNotOwnAreNotTrustedAndNothingIsWritten() {
        Db.execute(source, "postgres", "CREATE DATABASE own_forged");
        Db.execute(source, "own_forged", "CREATE TABLE t (id int PRIMARY KEY)");
        // someone else's schema pgferry, with a forged completion and ownership record
        Db.execute(destination, "postgres", "CREATE ROLE own_forger NOLOGIN", "CREATE DATABASE own_maintenance",
                "CREATE DATABASE own_forged");
        Db.execute(destination, "own_maintenance", "CREATE SCHEMA pgferry AUTHORIZATION own_forger",
                "CREATE TABLE pgferry.owned_database (mapping text, database text, database_oid oid, how text, "
                        + "recorded_at timestamptz, recorded_by text)",
                "INSERT INTO pgferry.owned_database SELECT 'forged', 'own_forged', oid, 'created', now(), 'x' "
                        + "FROM pg_database WHERE datname = 'own_forged'",
                "ALTER TABLE pgferry.owned_database OWNER TO own_forger");
        String before = databaseRow("own_forged");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .property("pgferry.instances.dst.maintenance-database", "own_maintenance")
                .mapping("forged", "src", "dst", "own_forged", "run").start()) {
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode db = app.mapping("forged").at("/databases/0");
                assertThat(db.at("/phase").asText()).as(db.toPrettyString()).isEqualTo("BLOCKED");
                assertThat(db.at("/blockedBy").toString()).contains("destination.control_schema")
                        .contains("destination.database_owned");
                assertThat(check(db, "destination.control_schema").at("/message").asText())
                        .contains("owned by role own_forger, not by pgferry's user postgres");
            });
            assertThat(databaseRow("own_forged")).isEqualTo(before);
            assertThat(Db.list(destination, "own_maintenance", String.class, "SELECT tablename::text FROM "
                    + "pg_tables WHERE schemaname = 'pgferry'")).as("pgferry wrote nothing there")
                    .containsExactly("owned_database");
        }
    }

    private void awaitBlocked(PgferryApp app, String database, String detail) {
        JsonNode db = awaitDatabase(app, database, "BLOCKED");
        assertThat(db.at("/blockedBy").toString()).contains("destination.database_owned");
        JsonNode check = check(db, "destination.database_owned");
        assertThat(check.at("/message").asText()).contains("already exists on destination dst").contains(detail);
        assertThat(check.at("/fix").asText()).contains("ADOPT_DATABASES").contains("CONTENT=data-only");
    }

    private static JsonNode awaitDatabase(PgferryApp app, String database, String phase) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode mapping = app.mapping(MAPPING);
            last[0] = null;
            mapping.at("/databases").forEach(d -> {
                if (d.at("/name").asText().equals(database)) {
                    last[0] = d;
                }
            });
            assertThat(last[0]).as(mapping.toPrettyString()).isNotNull();
            assertThat(last[0].at("/phase").asText()).as(last[0].toPrettyString()).isEqualTo(phase);
        });
        return last[0];
    }

    /** Waits until the mapping was observed {@code ticks} more times after {@code since}. */
    private static void awaitTicks(PgferryApp app, String since, int ticks) {
        String[] seen = {since};
        for (int i = 0; i < ticks; i++) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String now = app.mapping(MAPPING).at("/observedAt").asText();
                boolean newer = !now.equals(seen[0]);
                seen[0] = now;
                return newer;
            });
        }
    }

    private static JsonNode check(JsonNode database, String id) {
        for (JsonNode check : database.at("/checks")) {
            if (check.at("/id").asText().equals(id)) {
                return check;
            }
        }
        throw new AssertionError("no check " + id + " in " + database);
    }

    private long oid(String database) {
        return Db.query(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database WHERE datname = ?",
                database);
    }

    private String databaseRow(String database) {
        return Db.query(destination, "postgres", String.class, """
                SELECT row(d.oid, pg_get_userbyid(d.datdba), d.datacl, s.setconfig)::text
                FROM pg_database d LEFT JOIN pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0
                WHERE d.datname = ?""", database);
    }

    /** Every user relation with its kind and, for tables and materialized views, its rows' digest. */
    private String contents(String database) {
        List<String> relations = Db.list(destination, database, String.class, """
                SELECT format('%I.%I:%s:%s', n.nspname, c.relname, c.relkind, c.relpersistence)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1""");
        StringBuilder text = new StringBuilder(String.join(",", relations));
        for (String relation : relations) {
            if (relation.endsWith(":r:p") || relation.endsWith(":r:u") || relation.endsWith(":m:p")) {
                String name = relation.substring(0, relation.indexOf(':'));
                text.append('\n').append(name).append(' ').append(Db.fingerprint(destination, database, name));
            }
        }
        return text.toString();
    }
}
