package dev.pgferry.schemachange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Await;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.HttpClientErrorException;

/**
 * Schema changes while streaming, under an application's writes, from a PostgreSQL 17 source:
 * with the default policy the safe ones arrive by themselves (columns with and without a default
 * that rows already use, a new table with a key and rows, an index, a check constraint, a grant),
 * every row equal and READY again; a dropped column waits for an operator's confirmation and then
 * goes; a type change PostgreSQL cannot cast is manual and blocks readiness with the remedy until
 * the operator applies it by hand. Each change pgferry applied is on the audit log.
 */
class SchemaChangesIT {

    private static final String DB = "ddl_shop";
    private static final String MAPPING = "ddl";

    private final EmbeddedPostgres source = TestServers.source(17);
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);

    @Test
    void safeChangesArriveByThemselvesOthersWaitForConfirmationOrTheOperator() throws Exception {
        migration.create(300);
        Db.execute(source, "postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ddl_reporter') "
                + "THEN CREATE ROLE ddl_reporter NOLOGIN; END IF; END $$");
        // a grantee in the database before the start: pgferry copies the role with it
        Db.execute(source, DB, "GRANT SELECT ON orders TO ddl_reporter");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping(MAPPING, "src", "dst", DB, "run").property("pgferry.poll-interval", "1s")
                .property("pgferry.ready.stable-for", "3s").start()) {
            app.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
            try (SampleWriter writer = migration.writer(Duration.ofMillis(20))) {
                Db.execute(source, DB,
                        "ALTER TABLE customers ADD COLUMN nickname text",
                        "ALTER TABLE customers ADD COLUMN \"Tier\" integer NOT NULL DEFAULT 1");
                // rows that use the new columns while the destination lacks them: the apply worker waits
                Db.execute(source, DB, "UPDATE customers SET nickname = 'n' || id, \"Tier\" = 2 WHERE id % 3 = 0",
                        "INSERT INTO customers (name, email, nickname, \"Tier\") VALUES ('Late', 'late@example.com', "
                                + "'late one', 3)");
                Db.execute(source, DB,
                        "CREATE TABLE coupons (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text NOT NULL "
                                + "UNIQUE, percent integer CHECK (percent BETWEEN 1 AND 90), note text DEFAULT 'none', label text)",
                        "INSERT INTO coupons (code, percent, label) SELECT 'C' || g, 1 + g % 90, 'L' || g FROM generate_series(1, 500) g",
                        "CREATE INDEX customers_tier ON customers (\"Tier\")",
                        "ALTER TABLE customers ADD CONSTRAINT tier_positive CHECK (\"Tier\" > 0)",
                        "GRANT SELECT ON coupons TO ddl_reporter",
                        "COMMENT ON TABLE coupons IS 'discounts, from the 2026 release'");
                Db.execute(source, DB, "INSERT INTO coupons (code, percent) VALUES ('AFTER', 5)");

                JsonNode ready = app.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
                assertThat(condition(ready, "schema-unchanged").get("met").asBoolean()).isTrue();
            }
            Await.everyTableEqual(source, destination, DB, List.of("customers", "products", "orders", "order_items",
                    "events", "coupons"));
            assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM coupons")).isEqualTo(501L);
            assertThat(Db.query(destination, DB, String.class, "SELECT obj_description('coupons'::regclass)"))
                    .isEqualTo("discounts, from the 2026 release");
            assertThat(Db.query(destination, DB, Boolean.class, "SELECT has_table_privilege('ddl_reporter', "
                    + "'coupons', 'SELECT')")).isTrue();
            assertThat(Db.query(destination, DB, Boolean.class, "SELECT convalidated FROM pg_constraint WHERE "
                    + "conname = 'tier_positive'")).isTrue();
            List<String> audited = audited();
            assertThat(String.join("\n", audited)).contains("column added public.customers.nickname")
                    .contains("column added public.customers.\"Tier\"").contains("table added public.coupons")
                    .contains("index added public.customers_tier").contains("constraint added public.customers.tier_positive")
                    .contains("GRANT SELECT ON TABLE public.coupons TO ddl_reporter")
                    .contains("table \"public\".\"coupons\" added to publication");
            JsonNode history = app.api().get().uri("/api/mappings/{m}/database?name={d}", MAPPING, DB).retrieve()
                    .body(JsonNode.class).at("/schemaChanges/applied");
            assertThat(history.size()).isGreaterThanOrEqualTo(3);

            // a dropped column waits for confirmation, with its SQL
            Db.execute(source, DB, "ALTER TABLE customers DROP COLUMN nickname");
            JsonNode drop = awaitChange(app, "column dropped");
            assertThat(drop.get("level").asText()).isEqualTo("confirm");
            assertThat(drop.get("sql").asText()).isEqualTo("ALTER TABLE public.customers DROP COLUMN IF EXISTS nickname;");
            assertThat(drop.get("confirmable").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !app.mapping(MAPPING).at("/cutoverReady").asBoolean());
            Thread.sleep(3000); // a few ticks: nothing is applied without the operator
            assertThat(columns("customers")).contains("nickname");
            assertThat(app.mapping(MAPPING).at("/cutoverReady").asBoolean()).isFalse();
            JsonNode afterApply = app.api().post().uri("/api/mappings/{m}/schema-changes/apply?name={d}&id={id}",
                    MAPPING, DB, drop.get("id").asText()).retrieve().body(JsonNode.class);
            assertThat(columns("customers")).doesNotContain("nickname");
            // equal again, but a change applied just now keeps the database not ready for the stable period
            JsonNode settling = null;
            for (JsonNode condition : afterApply.get("readiness")) {
                if (condition.get("id").asText().equals("schema-unchanged")) {
                    settling = condition;
                }
            }
            assertThat(settling.get("met").asBoolean()).isFalse();
            assertThat(settling.get("detail").asText()).contains("identical again after the schema change applied");
            app.awaitPhase(MAPPING, "READY", Duration.ofMinutes(1));
            assertThat(String.join("\n", audited())).contains("column dropped public.customers.nickname");
            Db.execute(source, DB, "UPDATE customers SET \"Tier\" = 4 WHERE id % 7 = 0");
            Await.everyTableEqual(source, destination, DB, List.of("customers", "coupons"));

            // a type PostgreSQL does not convert by itself: manual, nothing applied, readiness blocked with the remedy
            Db.execute(source, DB, "ALTER TABLE coupons ALTER COLUMN label TYPE integer USING length(label)");
            JsonNode manual = awaitChange(app, "column changed");
            assertThat(manual.get("level").asText()).isEqualTo("manual");
            assertThat(manual.get("sql").asText()).isEmpty();
            assertThat(manual.get("why").asText()).contains("USING");
            String id = manual.get("id").asText();
            assertThatThrownBy(() -> app.api().post().uri("/api/mappings/{m}/schema-changes/apply?name={d}&id={id}",
                    MAPPING, DB, id).retrieve().toBodilessEntity()).isInstanceOf(HttpClientErrorException.Conflict.class)
                    .hasMessageContaining("manual");
            // the next tick reads the classification
            JsonNode blocked = await().atMost(Duration.ofSeconds(10)).until(() -> app.mapping(MAPPING),
                    m -> condition(m, "schema-unchanged").get("detail").asText().contains("manual"));
            assertThat(blocked.at("/cutoverReady").asBoolean()).isFalse();
            assertThat(condition(blocked, "schema-unchanged").get("detail").asText()).contains("manual").contains("USING");
            assertThat(Db.query(destination, DB, String.class, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    + "WHERE attrelid = 'coupons'::regclass AND attname = 'label'")).isEqualTo("text");
            // the operator's remedy
            Db.execute(destination, DB, "ALTER TABLE coupons ALTER COLUMN label TYPE integer USING length(label)");
            app.awaitPhase(MAPPING, "READY", Duration.ofMinutes(1));
            Db.execute(source, DB, "INSERT INTO coupons (code, percent, label) VALUES ('LAST', 9, 4)");
            Await.everyTableEqual(source, destination, DB, List.of("customers", "coupons"));

            migration.assertOneOfEach();
            app.api().post().uri("/api/mappings/{m}/complete", MAPPING).retrieve().toBodilessEntity();
            app.awaitPhase(MAPPING, "COMPLETE", Duration.ofMinutes(1));
            migration.awaitNothingLeft();
        }
    }

    private List<String> columns(String table) {
        return Db.list(destination, DB, String.class, "SELECT attname::text FROM pg_attribute WHERE attrelid = ?::regclass "
                + "AND attnum > 0 AND NOT attisdropped", table);
    }

    private List<String> audited() {
        return new ArrayList<>(Db.list(destination, "postgres", String.class, "SELECT detail FROM pgferry.audit_log "
                + "WHERE action = 'schema-change' AND mapping = ? AND database = ? ORDER BY id", MAPPING, DB));
    }

    /** Waits for a pending change of that kind on the database and returns it. */
    private static JsonNode awaitChange(PgferryApp app, String what) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode pending = app.api().get().uri("/api/mappings/{m}/database?name={d}", MAPPING, DB).retrieve()
                    .body(JsonNode.class).at("/schemaChanges/pending");
            for (JsonNode change : pending) {
                if (change.get("what").asText().equals(what)) {
                    return change;
                }
            }
            return null;
        }, java.util.Objects::nonNull);
    }

    static JsonNode condition(JsonNode mapping, String id) {
        for (JsonNode condition : mapping.at("/databases/0/readiness")) {
            if (condition.get("id").asText().equals(id)) {
                return condition;
            }
        }
        throw new AssertionError(id + " not in " + mapping.toPrettyString());
    }
}
