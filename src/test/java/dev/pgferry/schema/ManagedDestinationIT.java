package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A managed destination: pgferry's user there is no superuser, only what the services give
 * (CREATEDB, CREATEROLE, pg_create_subscription, CREATE on the maintenance database), exactly the
 * grants docs/managed-services.md lists; the source user is no superuser either (REPLICATION,
 * pg_read_all_data, member of the owners, CREATE on the database; for the assisted freeze
 * CREATEROLE with ADMIN on the applications' roles, pg_signal_backend, CREATE on the maintenance
 * database). Pagila and every object kind it lacks, owned by two roles, with memberships, grants,
 * default privileges, sequences and partitions, from a PostgreSQL 16 source with pg_dump 18: the
 * migration, the whole cutover and complete.
 */
class ManagedDestinationIT {

    private static final EmbeddedPostgres S = TestServers.source(16);
    private static final EmbeddedPostgres D = TestServers.managedDestination();
    private static final String DB = "managed_pagila";

    /** What docs/managed-services.md tells users to run on a destination (as the service's admin). */
    static final List<String> DESTINATION_GRANTS = List.of(
            "CREATE ROLE ferry LOGIN PASSWORD 'ferry ''dst'' secret'",
            "ALTER ROLE ferry CREATEDB CREATEROLE",
            "GRANT pg_create_subscription TO ferry",
            "GRANT CREATE ON DATABASE postgres TO ferry");

    /** Every object of the superuser that pagila's script leaves, given to pagila_owner. */
    static final String GIVE_TO_PAGILA_OWNER = """
            DO $$
            DECLARE
                statement text;
            BEGIN
                FOR statement IN
                    SELECT format('ALTER %s %s OWNER TO pagila_owner', CASE t.typtype WHEN 'd' THEN 'DOMAIN'
                           ELSE 'TYPE' END, t.oid::regtype)
                    FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('d', 'e')
                      AND pg_get_userbyid(t.typowner) = 'postgres'
                    UNION ALL
                    SELECT format('ALTER %s %s OWNER TO pagila_owner', CASE p.prokind WHEN 'a' THEN 'AGGREGATE'
                           ELSE 'ROUTINE' END, p.oid::regprocedure)
                    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
                      AND pg_get_userbyid(p.proowner) = 'postgres'
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
                    UNION ALL
                    SELECT format('ALTER SEQUENCE %s OWNER TO pagila_owner', c.oid::regclass)
                    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
                      AND pg_get_userbyid(c.relowner) = 'postgres'
                    UNION ALL
                    SELECT 'ALTER SCHEMA public OWNER TO pagila_owner'
                LOOP
                    EXECUTE statement;
                END LOOP;
            END $$""";

    @BeforeAll
    static void servers() {
        Db.execute(D, "postgres", DESTINATION_GRANTS.toArray(String[]::new));
        Db.execute(S, "postgres",
                "CREATE ROLE pagila_owner NOLOGIN",
                "CREATE ROLE ledger_owner NOLOGIN",
                "CREATE ROLE app_rw LOGIN PASSWORD 'rw secret' CONNECTION LIMIT 20 VALID UNTIL '2031-01-01 12:00+02'",
                "CREATE ROLE app_ro NOLOGIN",
                "CREATE ROLE analyst LOGIN PASSWORD 'analyst secret' IN ROLE app_ro",
                "ALTER ROLE analyst SET search_path = \"$user\", public, reporting",
                "ALTER ROLE analyst SET statement_timeout = '30s'",
                // the source user, as docs/managed-services.md says
                "CREATE ROLE migrator LOGIN REPLICATION PASSWORD 'migrator secret'",
                "GRANT pg_read_all_data TO migrator",
                "GRANT pagila_owner, ledger_owner TO migrator",
                // for the assisted freeze
                "ALTER ROLE migrator CREATEROLE",
                "GRANT app_rw, analyst TO migrator WITH ADMIN TRUE, INHERIT FALSE, SET FALSE",
                "GRANT pg_signal_backend TO migrator",
                "GRANT CREATE ON DATABASE postgres TO migrator");
        EveryObjectKindIT.loadPagila(S, DB);
        // what pagila's script leaves to the superuser that ran it, to its owner: a destination user that
        // is no superuser cannot create objects as postgres (the blocked test shows the check saying so)
        Db.execute(S, DB, GIVE_TO_PAGILA_OWNER);
        // a second owner: a schema with a partitioned ledger (identity), a sequence, a view, defaults
        Db.execute(S, DB, "CREATE SCHEMA ledger AUTHORIZATION ledger_owner",
                "GRANT USAGE ON SCHEMA ledger TO app_ro, app_rw",
                "SET ROLE ledger_owner",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA ledger GRANT SELECT ON TABLES TO app_ro",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA ledger GRANT SELECT, INSERT ON TABLES TO app_rw",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA ledger GRANT USAGE ON SEQUENCES TO app_rw",
                "CREATE TABLE ledger.entries (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL, "
                        + "amount numeric(12,2) NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
                "CREATE TABLE ledger.entries_2026 PARTITION OF ledger.entries FOR VALUES FROM ('2026-01-01') "
                        + "TO ('2027-01-01')",
                "CREATE TABLE ledger.entries_2027 PARTITION OF ledger.entries FOR VALUES FROM ('2027-01-01') "
                        + "TO ('2028-01-01')",
                "CREATE SEQUENCE ledger.voucher_no START 1000",
                "INSERT INTO ledger.entries (at, amount) SELECT date '2026-01-01' + (i % 700), i / 10.0 "
                        + "FROM generate_series(1, 2000) i",
                "SELECT nextval('ledger.voucher_no') FROM generate_series(1, 5)",
                "CREATE MATERIALIZED VIEW ledger.monthly AS SELECT date_trunc('month', at) AS month, sum(amount) "
                        + "AS total FROM ledger.entries GROUP BY 1",
                // a large object with a grant: given its owner and rights by a destination user that is no superuser
                "SELECT lo_from_bytea(424242, 'scanned voucher')",
                "GRANT SELECT ON LARGE OBJECT 424242 TO app_ro",
                "RESET ROLE");
    }

    @Test
    void theWholeMigrationCutoverAndCompleteWorkWithoutSuperuserOnEitherSide() throws Exception {
        List<String> tables = Db.list(S, DB, String.class, "SELECT format('%I.%I', schemaname, tablename) "
                + "FROM pg_tables WHERE schemaname IN ('public', 'reporting', 'ledger') ORDER BY 1");
        try (PgferryApp first = managed().start()) {
            awaitReady(first, "managed");
        }
        String largeObject = "SELECT pg_get_userbyid(lomowner) || ' ' || lomacl::text || ' ' "
                + "|| convert_from(lo_get(oid), 'UTF8') FROM pg_largeobject_metadata WHERE oid = 424242";
        assertThat(Db.query(D, DB, String.class, largeObject)).isEqualTo(Db.query(S, DB, String.class, largeObject))
                .startsWith("ledger_owner {ledger_owner=rw/ledger_owner,app_ro=r/ledger_owner}");
        // restarted: a user that is no superuser cannot read a subscription's connection string, so
        // the new process sets it once (audited), and streaming goes on
        try (PgferryApp app = managed().start()) {
            awaitReady(app, "managed");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(D, "postgres", Long.class,
                    "SELECT count(*) FROM pgferry.audit_log WHERE mapping = 'managed' "
                            + "AND action = 'subscription-connection'")).isGreaterThanOrEqualTo(1L));
            Db.execute(S, DB, "UPDATE public.film SET rental_rate = rental_rate + 1 WHERE film_id < 50",
                    "CALL reporting.add_note(7, 'after the copy')",
                    "DELETE FROM public.payment WHERE payment_id % 97 = 0",
                    "INSERT INTO ledger.entries (at, amount) VALUES ('2027-06-01', 42)");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String table : tables) {
                    assertThat(Db.fingerprint(D, DB, table)).as(table).isEqualTo(Db.fingerprint(S, DB, table));
                }
            });
            // schema changes while streaming, carried over by a destination user that is no superuser: a
            // column with a default on a partitioned table, a new table (owned by ledger_owner, granted by its
            // default privileges) with rows
            Db.execute(S, DB, "SET ROLE ledger_owner",
                    "ALTER TABLE ledger.entries ADD COLUMN note text DEFAULT 'n/a'",
                    "CREATE TABLE ledger.adjustments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                            + "entry_at date NOT NULL, amount numeric(12,2) NOT NULL)",
                    "INSERT INTO ledger.adjustments (entry_at, amount) SELECT date '2026-03-01' + i, i "
                            + "FROM generate_series(1, 50) i",
                    "INSERT INTO ledger.entries (at, amount, note) VALUES ('2026-07-01', 7, 'with a note')",
                    "RESET ROLE");
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                for (String table : List.of("ledger.entries", "ledger.adjustments")) {
                    assertThat(Db.fingerprint(D, DB, table)).as(table).isEqualTo(Db.fingerprint(S, DB, table));
                }
            });
            assertThat(Db.query(D, DB, String.class, "SELECT pg_get_userbyid(relowner)::text FROM pg_class "
                    + "WHERE oid = 'ledger.adjustments'::regclass")).isEqualTo("ledger_owner");
            assertThat(Db.list(D, "postgres", String.class, "SELECT actor FROM pgferry.audit_log WHERE mapping = "
                    + "'managed' AND action = 'schema-change'")).isNotEmpty().containsOnly("pgferry");
            awaitReady(app, "managed");
            JsonNode reports = app.api().post().uri("/api/mappings/managed/fidelity").retrieve().body(JsonNode.class);
            assertThat(reports.get(0).at("/error").isNull()).as(reports.toPrettyString()).isTrue();
            assertThat(reports.get(0).at("/differences")).as(reports.toPrettyString()).isEmpty();

            // the cutover, every step through the API
            JsonNode frozen = app.api().post().uri("/api/mappings/managed/freeze").retrieve().body(JsonNode.class);
            assertThat(frozen.at("/plan/roles").findValuesAsText("name")).as(frozen.toPrettyString())
                    .contains("app_rw", "analyst");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> app.api().post()
                    .uri("/api/mappings/managed/drain").retrieve().toBodilessEntity());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(app.mapping("managed")
                    .at("/databases/0/drained").asBoolean()).isTrue());
            JsonNode sequences = app.api().post().uri("/api/mappings/managed/sync-sequences").retrieve()
                    .body(JsonNode.class);
            assertThat(sequences.at("/0/error").isNull()).as(sequences.toPrettyString()).isTrue();
            assertThat(Db.query(D, DB, Long.class, "SELECT last_value FROM ledger.voucher_no"))
                    .isGreaterThanOrEqualTo(1004L);
            JsonNode views = app.api().post().uri("/api/mappings/managed/refresh-matviews").retrieve()
                    .body(JsonNode.class);
            assertThat(views.toString()).as(views.toPrettyString()).doesNotContain("\"refreshed\":false");
            assertThat(Db.list(D, DB, String.class, "SELECT month || '=' || total FROM ledger.monthly ORDER BY month"))
                    .as("refreshed from the rows copied and streamed").isEqualTo(Db.list(S, DB, String.class,
                            "SELECT month || '=' || total FROM (SELECT date_trunc('month', at) AS month, sum(amount) "
                                    + "AS total FROM ledger.entries GROUP BY 1) x ORDER BY month"));
            app.api().post().uri("/api/mappings/managed/verify").retrieve().toBodilessEntity();
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(app.mapping("managed")
                    .at("/databases/0/verification/finishedAt").isNull()).isFalse());
            JsonNode verified = app.mapping("managed").at("/databases/0/verification");
            assertThat(verified.at("/error").isNull()).as(verified.toPrettyString()).isTrue();
            for (JsonNode table : verified.get("tables")) {
                assertThat(table.get("firstDifference").isNull()).as(table.toPrettyString()).isTrue();
            }
            app.api().post().uri("/api/mappings/managed/complete").retrieve().toBodilessEntity();
            app.awaitPhase("managed", "COMPLETE", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(S, "managed")).isEmpty();
                assertThat(Db.pgferryObjects(D, "managed")).isEmpty();
                assertThat(Db.publications(S, DB)).isEmpty();
            });
            JsonNode unfrozen = app.api().post().uri("/api/mappings/managed/unfreeze").retrieve().body(JsonNode.class);
            assertThat(unfrozen.at("/restored").size()).as(unfrozen.toPrettyString()).isGreaterThan(0);
        } finally {
            Db.execute(S, "postgres", "ALTER ROLE app_rw LOGIN", "ALTER ROLE analyst LOGIN");
        }
        // the applications log in to the destination as before (password hashes through pg_read_all_data)
        try (var c = java.sql.DriverManager.getConnection(D.jdbcUrl(DB), "analyst", "analyst secret")) {
            assertThat(c.isValid(5)).isTrue();
        }
        EveryObjectKindIT.compareRightsDirectly(S, D, DB);
    }

    @Test
    void whatOnlyASuperuserMayCreateBlocksPerObjectBeforeAnythingIsWritten() throws Exception {
        Db.execute(S, "postgres", "CREATE DATABASE managed_blocked OWNER pagila_owner",
                "GRANT CREATE ON DATABASE managed_blocked TO migrator",
                "CREATE ROLE rls_reader LOGIN BYPASSRLS PASSWORD 'rls secret'");
        Db.execute(S, "managed_blocked",
                "CREATE TYPE public.left_to_postgres AS ENUM ('a', 'b')",
                "CREATE FUNCTION public.absolute(integer) RETURNS integer LANGUAGE internal STRICT AS 'int4abs'",
                "CREATE FUNCTION public.audit_ddl() RETURNS event_trigger LANGUAGE plpgsql AS "
                        + "'BEGIN RAISE NOTICE ''ddl''; END'",
                "CREATE EVENT TRIGGER \"Audit DDL\" ON ddl_command_end EXECUTE FUNCTION public.audit_ddl()",
                "SET ROLE pagila_owner",
                "CREATE TABLE public.accounts (id int PRIMARY KEY, owner text)",
                "GRANT SELECT ON public.accounts TO rls_reader",
                "RESET ROLE");
        try (PgferryApp app = new PgferryApp().instance("src", S, "migrator", "migrator secret")
                .instance("dst", D, "ferry", "ferry 'dst' secret")
                .mapping("managedblocked", "src", "dst", "managed_blocked", "run").start()) {
            JsonNode db = app.awaitPhase("managedblocked", "BLOCKED", Duration.ofSeconds(60)).at("/databases/0");
            JsonNode owners = check(db, "destination.owners");
            assertThat(owners.at("/level").asText()).isEqualTo("block");
            assertThat(owners.at("/message").asText()).contains("postgres (a superuser there), owner of ")
                    .contains("type left_to_postgres");
            assertThat(owners.at("/fix").asText()).contains("GRANT <role> TO ferry WITH INHERIT TRUE, SET TRUE");
            JsonNode superuser = check(db, "destination.superuser_objects");
            assertThat(superuser.at("/level").asText()).isEqualTo("block");
            assertThat(superuser.at("/message").asText()).contains("event trigger \"Audit DDL\"")
                    .contains("function absolute(integer) (language internal, not trusted)");
            JsonNode attributes = check(db, "roles.privileged_attributes");
            assertThat(attributes.at("/level").asText()).isEqualTo("warn");
            assertThat(attributes.at("/message").asText()).contains("rls_reader (BYPASSRLS)");
            // nothing written: no database, no role, nothing on the source
            assertThat(Db.list(D, "postgres", String.class, "SELECT datname FROM pg_database WHERE datname = "
                    + "'managed_blocked'")).isEmpty();
            assertThat(Db.list(D, "postgres", String.class, "SELECT rolname FROM pg_roles WHERE rolname = "
                    + "'rls_reader'")).isEmpty();
            assertThat(Db.publications(S, "managed_blocked")).isEmpty();
            assertThat(Db.pgferryObjects(S, "managedblocked")).isEmpty();
        }
    }

    @Test
    void aDestinationUserWithoutCreateOnTheMaintenanceDatabaseIsToldBeforeAnythingIsWritten() {
        // everything docs/managed-services.md lists but CREATE on the maintenance database
        Db.execute(D, "postgres", "CREATE DATABASE managed_maint",
                "CREATE ROLE ferry_nocreate LOGIN PASSWORD 'nocreate secret' CREATEDB CREATEROLE",
                "GRANT pg_create_subscription TO ferry_nocreate",
                "REVOKE CREATE ON DATABASE managed_maint FROM PUBLIC");
        Db.execute(S, "postgres", "CREATE DATABASE managed_nocreate OWNER pagila_owner",
                "GRANT CREATE ON DATABASE managed_nocreate TO migrator");
        try (PgferryApp app = new PgferryApp().instance("src", S, "migrator", "migrator secret")
                .instance("dstnc", D, "ferry_nocreate", "nocreate secret")
                .property("pgferry.instances.dstnc.maintenance-database", "managed_maint")
                .mapping("managednc", "src", "dstnc", "managed_nocreate", "run").start()) {
            JsonNode db = app.awaitPhase("managednc", "BLOCKED", Duration.ofSeconds(60)).at("/databases/0");
            JsonNode privileges = check(db, "destination.privileges");
            assertThat(privileges.at("/level").asText()).isEqualTo("block");
            assertThat(privileges.at("/message").asText()).startsWith("ferry_nocreate may not create schema pgferry "
                    + "in the destination's maintenance database managed_maint");
            assertThat(privileges.at("/fix").asText()).startsWith("Run GRANT CREATE ON DATABASE \"managed_maint\" TO "
                    + "\"ferry_nocreate\" on the destination");
            assertThat(Db.list(D, "managed_maint", String.class, "SELECT nspname::text FROM pg_namespace "
                    + "WHERE nspname = 'pgferry'")).isEmpty();
            assertThat(Db.list(D, "postgres", String.class, "SELECT datname FROM pg_database WHERE datname = "
                    + "'managed_nocreate'")).isEmpty();
            assertThat(Db.publications(S, "managed_nocreate")).isEmpty();
        }
    }

    private static PgferryApp managed() {
        return new PgferryApp().instance("src", S, "migrator", "migrator secret")
                .instance("dst", D, "ferry", "ferry 'dst' secret")
                .mapping("managed", "src", "dst", DB, "run")
                .property("pgferry.mappings.managed.allow-freeze", "true");
    }

    /** READY, or the reason it failed at once (not four minutes later). */
    private static void awaitReady(PgferryApp app, String mapping) {
        JsonNode[] last = new JsonNode[1];
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                last[0] = app.mapping(mapping);
                String phase = last[0].at("/databases/0/phase").asText();
                assertThat(phase).as(last[0].toPrettyString()).isNotIn("FAILED", "BLOCKED");
                return phase.equals("READY");
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not READY: " + last[0].at("/databases/0").toPrettyString(), e);
        }
    }

    private static JsonNode check(JsonNode database, String id) {
        for (JsonNode check : database.at("/checks")) {
            if (check.at("/id").asText().equals(id)) {
                return check;
            }
        }
        throw new AssertionError("no check " + id + " in " + database.toPrettyString());
    }
}
