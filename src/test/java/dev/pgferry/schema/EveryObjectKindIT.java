package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.Psql;
import dev.pgferry.testing.TestServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pagila (a real sample database) plus every object kind it lacks, roles with grants, default
 * privileges, memberships and settings, owned by a role that is not the migration user, moved
 * 15 -> 18: once as a superuser, once as a migration user that is not one.
 */
class EveryObjectKindIT {

    /** A copy of ../shared/corpus/pagila (licence in the folder), so the tests run from any checkout. */
    private static final Path PAGILA = Path.of("src", "test", "resources", "pagila");
    private static final EmbeddedPostgres S = TestServers.source();
    private static final EmbeddedPostgres D = TestServers.destination();
    private static final List<String> ROLES = List.of("pagila_owner", "app_rw", "app_ro", "analyst");

    @BeforeAll
    static void roles() {
        Db.execute(S, "postgres",
                "CREATE ROLE pagila_owner NOLOGIN",
                "CREATE ROLE app_rw LOGIN PASSWORD 'rw secret' CONNECTION LIMIT 20 VALID UNTIL '2031-01-01 12:00+02'",
                "CREATE ROLE app_ro NOLOGIN",
                // a role literally named PUBLIC, beside the pseudo-role of everyone
                "CREATE ROLE \"PUBLIC\" NOLOGIN",
                "CREATE ROLE analyst LOGIN PASSWORD 'analyst secret' IN ROLE app_ro",
                "ALTER ROLE analyst SET search_path = \"$user\", public, reporting",
                "ALTER ROLE analyst SET statement_timeout = '30s'",
                "CREATE ROLE migrator LOGIN REPLICATION PASSWORD 'migrator secret' IN ROLE pagila_owner, "
                        + "pg_read_all_data");
    }

    @Test
    void everyObjectKindArrivesAndTheFidelityCheckFindsNoDifference() throws Exception {
        JsonNode db = migrate("pagila", S.superuser(), S.password());
        assertThat(check(db, "roles.passwords").at("/level").asText()).isEqualTo("ok");
        // password hashes came along: an application logs in to the destination as before
        try (var c = java.sql.DriverManager.getConnection(D.jdbcUrl("pagila"), "app_rw", "rw secret")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void theSameMigrationWorksWithAMigrationUserThatIsNotSuperuser() throws Exception {
        // migrator: LOGIN REPLICATION, member of pg_read_all_data and of the owner role, CREATE on
        // the database (docs/operations.md); pg_read_all_data also lets it read the password hashes
        JsonNode db = migrate("pagila_ns", "migrator", "migrator secret");
        assertThat(check(db, "source.privileges.publication").at("/level").asText()).isEqualTo("ok");
        assertThat(check(db, "roles.passwords").at("/level").asText()).isEqualTo("ok");
        try (var c = java.sql.DriverManager.getConnection(D.jdbcUrl("pagila_ns"), "analyst", "analyst secret")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    /**
     * Pagila plus every object kind it lacks in a new database owned by pagila_owner, with its
     * settings and rights (the roles of {@link #roles()} must exist on the server, and migrator).
     */
    static void loadPagila(EmbeddedPostgres server, String database) {
        Db.execute(server, "postgres", "CREATE DATABASE " + database + " OWNER pagila_owner",
                "ALTER DATABASE " + database + " SET work_mem = '8MB'",
                "ALTER ROLE app_ro IN DATABASE " + database + " SET default_transaction_read_only = on",
                "REVOKE ALL ON DATABASE " + database + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + database + " TO app_ro, app_rw, migrator",
                "GRANT CREATE ON DATABASE " + database + " TO migrator");
        Psql.runFile(server, database, PAGILA.resolve("pagila-schema.sql"));
        Psql.runFile(server, database, PAGILA.resolve("pagila-data.sql"));
        Psql.runFile(server, database, Path.of("src/test/resources/fixtures/every-object-kind.sql"));
    }

    private JsonNode migrate(String database, String user, String password) throws Exception {
        loadPagila(S, database);
        // the pseudo-role PUBLIC and a role named "PUBLIC", on the database and on a table
        Db.execute(S, "postgres", "GRANT TEMPORARY ON DATABASE " + database + " TO PUBLIC",
                "GRANT CONNECT ON DATABASE " + database + " TO \"PUBLIC\"");
        Db.execute(S, database, "GRANT SELECT ON public.actor TO PUBLIC", "GRANT SELECT, UPDATE ON public.actor TO "
                + "\"PUBLIC\"");
        List<String> tables = Db.list(S, database, String.class, "SELECT format('%I.%I', schemaname, tablename) "
                + "FROM pg_tables WHERE schemaname IN ('public', 'reporting') ORDER BY 1");
        JsonNode result;
        try (PgferryApp app = new PgferryApp().instance("src", S, user, password).instance("dst", D)
                .mapping("pagila", "src", "dst", database, "run").start()) {
            app.awaitPhase("pagila", "READY", Duration.ofMinutes(4));
            Db.execute(S, database, "UPDATE public.film SET rental_rate = rental_rate + 1 WHERE film_id < 50",
                    "CALL reporting.add_note(7, 'after the copy')",
                    "DELETE FROM public.payment WHERE payment_id % 97 = 0",
                    "INSERT INTO reporting.events (at, kind) VALUES ('2026-12-24', 'sale')");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String table : tables) {
                    assertThat(Db.fingerprint(D, database, table)).as(table).isEqualTo(Db.fingerprint(S, database,
                            table));
                }
            });
            JsonNode reports = app.api().post().uri("/api/mappings/pagila/fidelity").retrieve().body(JsonNode.class);
            assertThat(reports).hasSize(1);
            assertThat(reports.get(0).at("/error").isNull()).as(reports.toPrettyString()).isTrue();
            assertThat(reports.get(0).at("/differences")).as(reports.toPrettyString()).isEmpty();
            assertThat(reports.get(0).at("/sourceObjects").asInt()).isGreaterThan(300);
            roleDriftIsFound(app, database);
            result = app.mapping("pagila").at("/databases/0");
            assertThat(result.at("/fidelity/differences")).isEmpty();
            assertThat(result.at("/sequences")).isNotEmpty();
            assertThat(partitionsOf(result, "payment")).hasSize(7);
            app.api().post().uri("/api/mappings/pagila/complete").retrieve().toBodilessEntity();
            app.awaitPhase("pagila", "COMPLETE", Duration.ofSeconds(30));
        }
        compareRightsDirectly(S, D, database);
        return result;
    }

    /**
     * The roles' attributes are part of the fidelity check: changed on the destination, each is
     * named with both sides' values; changed back, the check is clean again.
     */
    private static void roleDriftIsFound(PgferryApp app, String database) {
        // pgferry created these roles (recorded), so under the default ROLE_CONFLICT=merge a difference is drift
        assertThat(Db.list(D, "postgres", String.class, "SELECT role FROM pgferry.created_role"))
                .contains("app_rw", "analyst", "app_ro", "pagila_owner");
        Db.execute(D, "postgres", "ALTER ROLE app_rw VALID UNTIL '2032-06-01 00:00+00' CONNECTION LIMIT 5",
                "ALTER ROLE analyst SET statement_timeout = '31s'",
                "ALTER ROLE app_ro IN DATABASE " + database + " RESET default_transaction_read_only",
                "ALTER ROLE pagila_owner CREATEDB");
        try {
            JsonNode report = app.api().post().uri("/api/mappings/pagila/fidelity").retrieve().body(JsonNode.class)
                    .get(0);
            Map<String, JsonNode> roles = new java.util.TreeMap<>();
            report.at("/differences").forEach(d -> {
                assertThat(d.at("/kind").asText()).as(report.toPrettyString()).isEqualTo("role");
                roles.put(d.at("/name").asText(), d);
            });
            assertThat(roles).containsOnlyKeys("app_rw", "analyst", "app_ro", "pagila_owner");
            assertThat(roles.get("app_rw").at("/source").asText()).contains("connection limit 20",
                    "valid until 2031-01-01T10:00:00.000000Z");
            assertThat(roles.get("app_rw").at("/destination").asText()).contains("connection limit 5",
                    "valid until 2032-06-01T00:00:00.000000Z");
            assertThat(roles.get("analyst").at("/source").asText()).contains("statement_timeout=30s");
            assertThat(roles.get("analyst").at("/destination").asText()).contains("statement_timeout=31s");
            assertThat(roles.get("app_ro").at("/source").asText())
                    .contains("settings in this database default_transaction_read_only=on");
            assertThat(roles.get("app_ro").at("/destination").asText()).doesNotContain("settings in this database");
            assertThat(roles.get("pagila_owner").at("/destination").asText()).contains("createdb true");
        } finally {
            Db.execute(D, "postgres", "ALTER ROLE app_rw VALID UNTIL '2031-01-01 12:00+02' CONNECTION LIMIT 20",
                    "ALTER ROLE analyst SET statement_timeout = '30s'",
                    "ALTER ROLE app_ro IN DATABASE " + database + " SET default_transaction_read_only = on",
                    "ALTER ROLE pagila_owner NOCREATEDB");
        }
        JsonNode again = app.api().post().uri("/api/mappings/pagila/fidelity").retrieve().body(JsonNode.class);
        assertThat(again.get(0).at("/differences")).as(again.toPrettyString()).isEmpty();
        // the drift made the mapping not cutover-ready; it is again once the guard sees no drift for a while
        app.awaitPhase("pagila", "READY", Duration.ofSeconds(60));
    }

    /** The same facts the fidelity check covers, read straight from the catalogs. */
    static void compareRightsDirectly(EmbeddedPostgres S, EmbeddedPostgres D, String database) {
        String acls = "SELECT string_agg(format('%I.%I', n.nspname, c.relname) || '=' || coalesce((SELECT "
                + "string_agg(item, ',' ORDER BY item) FROM (SELECT pg_get_userbyid(a.grantee) || ':' || "
                + "a.privilege_type AS item FROM aclexplode(c.relacl) a WHERE a.privilege_type <> 'MAINTAIN') x), "
                + "'-'), E'\\n' ORDER BY format('%I.%I', n.nspname, c.relname)) "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname IN ('public', 'reporting', 'ledger') AND c.relkind IN ('r', 'p', 'v', 'm', 'S')";
        assertThat(Db.query(D, database, String.class, acls)).isEqualTo(Db.query(S, database, String.class, acls));
        String columnAcls = "SELECT string_agg(attname || '=' || attacl::text, ',' ORDER BY attname) FROM pg_attribute "
                + "WHERE attrelid = 'public.film'::regclass AND attacl IS NOT NULL";
        assertThat(Db.query(D, database, String.class, columnAcls)).isEqualTo(Db.query(S, database, String.class,
                columnAcls));
        String defaults = "SELECT string_agg(item, ',' ORDER BY item) FROM (SELECT pg_get_userbyid(defaclrole) || ' ' "
                + "|| defaclobjtype::text || ' ' || (SELECT string_agg(p, ',' ORDER BY p) FROM (SELECT "
                + "pg_get_userbyid(x.grantee) || ':' || x.privilege_type AS p FROM aclexplode(defaclacl) x "
                + "WHERE x.privilege_type <> 'MAINTAIN') y) AS item FROM pg_default_acl) z";
        assertThat(Db.query(D, database, String.class, defaults)).isEqualTo(Db.query(S, database, String.class,
                defaults));
        String memberships = "SELECT string_agg(r.rolname || '>' || m.rolname, ',' ORDER BY r.rolname || '>' || "
                + "m.rolname) FROM pg_auth_members a "
                + "JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
                + "WHERE m.rolname = ANY (ARRAY['pagila_owner', 'app_rw', 'app_ro', 'analyst'])";
        assertThat(Db.query(D, "postgres", String.class, memberships))
                .isEqualTo(Db.query(S, "postgres", String.class, memberships));
        String attributes = "SELECT string_agg(format('%s %s %s %s %s %s %s', rolname, rolcanlogin, rolinherit, "
                + "rolconnlimit, rolbypassrls, rolreplication, rolvaliduntil), ',' ORDER BY rolname) FROM pg_roles "
                + "WHERE rolname = ANY (ARRAY['pagila_owner', 'app_rw', 'app_ro', 'analyst'])";
        assertThat(Db.query(D, "postgres", String.class, attributes))
                .isEqualTo(Db.query(S, "postgres", String.class, attributes));
        String settings = "SELECT string_agg(item, ',' ORDER BY item) FROM (SELECT CASE WHEN s.setrole = 0 THEN '-' "
                + "ELSE pg_get_userbyid(s.setrole) END || coalesce(' in ' || d.datname, '') || ' ' || "
                + "s.setconfig::text AS item FROM pg_db_role_setting s "
                + "LEFT JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '" + database + "' "
                + "OR pg_get_userbyid(s.setrole) = ANY (ARRAY['pagila_owner', 'app_rw', 'app_ro', 'analyst'])) x";
        assertThat(Db.query(D, "postgres", String.class, settings))
                .isEqualTo(Db.query(S, "postgres", String.class, settings));
        String databaseRights = "SELECT string_agg(item, ',' ORDER BY item) FROM (SELECT pg_get_userbyid(a.grantee) "
                + "|| ':' || a.privilege_type AS item FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = '"
                + database + "') x";
        assertThat(Db.query(D, "postgres", String.class, databaseRights))
                .isEqualTo(Db.query(S, "postgres", String.class, databaseRights));
        assertThat(Db.query(D, "postgres", String.class, "SELECT pg_get_userbyid(datdba) FROM pg_database "
                + "WHERE datname = '" + database + "'")).isEqualTo("pagila_owner");
    }

    private static List<JsonNode> partitionsOf(JsonNode database, String table) {
        List<JsonNode> partitions = new java.util.ArrayList<>();
        database.at("/tables").forEach(t -> {
            if (t.at("/name").asText().equals(table)) {
                t.at("/partitions").forEach(partitions::add);
            }
        });
        return partitions;
    }

    private static JsonNode check(JsonNode database, String id) {
        for (JsonNode check : database.at("/checks")) {
            if (check.at("/id").asText().equals(id)) {
                return check;
            }
        }
        throw new AssertionError("no check " + id);
    }
}
