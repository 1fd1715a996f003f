package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Scope;
import dev.pgferry.config.Secret;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.TestServers;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The freeze on real servers, without the rest of pgferry: a source user without the privileges
 * changes nothing and records nothing; freezing twice keeps the first recorded values and
 * catches a role created in between; unfreeze puts every value back, including a database
 * setting that was there before the freeze and one that was not.
 */
class FreezeIT {

    private static final String DB = "freeze_shop";
    private static final String OTHER = "Freeze \"Other\" db";
    private static final String QUOTED_OTHER = "\"Freeze \"\"Other\"\" db\"";

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final PgConnector connector = new PgConnector(RetryRegistry.ofDefaults(),
            io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults(), Clock.systemUTC());
    private final Freeze freeze = new Freeze(connector, new FreezeLedger(connector, new ControlSchema(connector)));

    @AfterEach
    void closeSessions() {
        connector.destroy();
    }

    private Mapping mapping(String name, String user, String password) {
        Instance src = new Instance("src", source.host(), source.port(), user, Secret.of(password), "disable",
                "postgres");
        Instance dst = new Instance("dst", destination.host(), destination.port(), destination.superuser(),
                Secret.of(destination.password()), "disable", "postgres");
        return new Mapping(name, src, dst, List.of(DB, OTHER), Mode.RUN, CopyMethod.NATIVE,
                Mapping.TablesWithoutKey.BLOCK, Mapping.RoleConflict.MERGE, Mapping.Content.SCHEMA_AND_DATA,
                Scope.ALL, true);
    }

    @Test
    void withoutPrivilegesNothingChangesAndTwoFreezesUndoToTheFirstValues() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB, "CREATE DATABASE " + QUOTED_OTHER,
                "REVOKE CONNECT ON DATABASE " + DB + " FROM PUBLIC",
                "REVOKE CONNECT ON DATABASE " + QUOTED_OTHER + " FROM PUBLIC",
                "CREATE ROLE freeze_app LOGIN", "CREATE ROLE freeze_limited LOGIN PASSWORD 'limited-pw'",
                "GRANT CONNECT ON DATABASE " + DB + " TO freeze_app, freeze_limited",
                "ALTER DATABASE " + QUOTED_OTHER + " SET default_transaction_read_only = off");
        try {
            List<String> before = catalogs();

            Mapping limited = mapping("freezelimited", "freeze_limited", "limited-pw");
            assertThatThrownBy(() -> freeze.freeze(limited, List.of(DB, OTHER), "ops"))
                    .isInstanceOf(Freeze.FreezeFailed.class).hasMessageContaining("nothing frozen on source src")
                    .hasMessageContaining("permission denied").hasMessageContaining("CREATEROLE");
            assertThat(catalogs()).as("nothing changed").isEqualTo(before);
            assertThat(freeze.state(limited).frozen()).as("nothing recorded").isFalse();

            Mapping mapping = mapping("freezetwice", source.superuser(), source.password());
            Freeze.Frozen first = freeze.freeze(mapping, List.of(DB, OTHER), "ops");
            assertThat(first.plan().roles()).extracting(FreezePlan.RoleToFreeze::name)
                    .containsExactly("freeze_app", "freeze_limited");
            assertThat(Db.query(source, "postgres", Boolean.class, "SELECT rolcanlogin FROM pg_roles "
                    + "WHERE rolname = 'freeze_app'")).isFalse();

            // a role added meanwhile is caught; what was recorded first stays (not the frozen values)
            Db.execute(source, "postgres", "CREATE ROLE freeze_late LOGIN",
                    "GRANT CONNECT ON DATABASE " + QUOTED_OTHER + " TO freeze_late");
            Freeze.Frozen second = freeze.freeze(mapping, List.of(DB, OTHER), "ops");
            assertThat(second.recorded()).containsExactly(FreezeChange.roleLogin("freeze_late"));
            assertThat(freeze.state(mapping).changes()).extracting(FreezeLedger.Entry::change).contains(
                    FreezeChange.databaseReadOnly(DB, null), FreezeChange.databaseReadOnly(OTHER, "off"));

            Freeze.Unfrozen unfrozen = freeze.unfreeze(mapping);
            assertThat(unfrozen.restored()).hasSize(5);
            Db.execute(source, "postgres", "REVOKE CONNECT ON DATABASE " + QUOTED_OTHER + " FROM freeze_late",
                    "DROP ROLE freeze_late");
            assertThat(catalogs()).as("as before the freezes").isEqualTo(before);
            assertThat(freeze.state(mapping).frozen()).isFalse();
            assertThatThrownBy(() -> freeze.unfreeze(mapping)).hasMessageContaining("is not frozen by pgferry");
        } finally {
            Db.execute(source, "postgres", "DROP DATABASE IF EXISTS " + DB, "DROP DATABASE IF EXISTS " + QUOTED_OTHER,
                    "DROP ROLE IF EXISTS freeze_late", "DROP ROLE IF EXISTS freeze_app",
                    "DROP ROLE IF EXISTS freeze_limited");
        }
    }

    private List<String> catalogs() {
        return Db.list(source, "postgres", String.class, """
                SELECT 'role ' || row(rolname, rolcanlogin, rolconnlimit, rolconfig)::text FROM pg_roles
                UNION ALL
                SELECT 'setting ' || row(d.datname, s.setrole, s.setconfig)::text
                FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase
                UNION ALL
                SELECT 'database ' || row(datname, datconnlimit, datallowconn, datacl)::text FROM pg_database
                ORDER BY 1""");
    }
}
