package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * changes nothing and records nothing (not even the ledger); a second freeze of a frozen mapping
 * is refused and changes nothing; unfreeze puts every value back, including a database setting
 * that was there before the freeze and one that was not, and removes the ledger from the source.
 */
class FreezeIT {

    private static final String DB = "freeze_shop";
    private static final String OTHER = "Freeze \"Other\" db";
    private static final String QUOTED_OTHER = "\"Freeze \"\"Other\"\" db\"";

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final PgConnector connector = new PgConnector(RetryRegistry.ofDefaults(),
            io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults(), Clock.systemUTC());
    private final Freeze freeze = new Freeze(connector, new FreezeLedger(connector), new FreezeFacts(connector));

    @AfterEach
    void closeSessions() {
        connector.destroy();
    }

    private Mapping mapping(String name, String user, String password) {
        // an instance per user: one configured instance has one user (its idle sessions are shared)
        Instance src = new Instance("src-" + user.replace('_', '-'), source.host(), source.port(), user,
                Secret.of(password), "disable", "postgres");
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
                    .isInstanceOf(Freeze.FreezeFailed.class).hasMessageContaining("nothing frozen")
                    .hasMessageContaining("permission denied");
            assertThat(catalogs()).as("nothing changed").isEqualTo(before);
            assertThat(freeze.state(limited).frozen()).as("nothing recorded").isFalse();

            assertThat(ledgerTables()).as("no ledger left behind").isZero();

            Mapping mapping = mapping("freezetwice", source.superuser(), source.password());
            Freeze.Frozen first = freeze.freeze(mapping, List.of(DB, OTHER), "ops");
            assertThat(first.plan().roles()).extracting(FreezePlan.RoleToFreeze::name)
                    .containsExactly("freeze_app", "freeze_limited");
            assertThat(first.plan().roles().getFirst().reasons()).containsExactly("was granted CONNECT on the "
                    + "database in " + DB);
            assertThat(Db.query(source, "postgres", Boolean.class, "SELECT rolcanlogin FROM pg_roles "
                    + "WHERE rolname = 'freeze_app'")).isFalse();
            List<FreezeLedger.Entry> recorded = freeze.state(mapping).changes();
            assertThat(recorded).extracting(FreezeLedger.Entry::change).containsExactlyInAnyOrder(
                    FreezeChange.roleLogin("freeze_app"), FreezeChange.roleLogin("freeze_limited"),
                    FreezeChange.databaseReadOnly(DB, null), FreezeChange.databaseReadOnly(OTHER, "off"));
            List<String> frozen = catalogs();

            // a second freeze while frozen changes nothing and keeps the records of the first
            Db.execute(source, "postgres", "CREATE ROLE freeze_late LOGIN",
                    "GRANT CONNECT ON DATABASE " + QUOTED_OTHER + " TO freeze_late");
            assertThatThrownBy(() -> freeze.freeze(mapping, List.of(DB, OTHER), "ops"))
                    .isInstanceOf(Freeze.FreezeFailed.class).hasMessageContaining("is frozen already (by ops");
            assertThat(freeze.state(mapping).changes()).isEqualTo(recorded);
            Db.execute(source, "postgres", "REVOKE CONNECT ON DATABASE " + QUOTED_OTHER + " FROM freeze_late",
                    "DROP ROLE freeze_late");
            assertThat(catalogs()).isEqualTo(frozen);

            Freeze.Unfrozen unfrozen = freeze.unfreeze(mapping);
            assertThat(unfrozen.restored()).hasSize(4);
            assertThat(catalogs()).as("as before the freeze").isEqualTo(before);
            assertThat(freeze.state(mapping).frozen()).isFalse();
            assertThat(ledgerTables()).as("the last unfreeze removes the ledger and schema pgferry").isZero();
            assertThatThrownBy(() -> freeze.unfreeze(mapping)).hasMessageContaining("is not frozen by pgferry");
        } finally {
            // the observation sessions pgferry keeps between reads are still open: FORCE ends them
            Db.execute(source, "postgres", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)",
                    "DROP DATABASE IF EXISTS " + QUOTED_OTHER + " WITH (FORCE)",
                    "DROP ROLE IF EXISTS freeze_late", "DROP ROLE IF EXISTS freeze_app",
                    "DROP ROLE IF EXISTS freeze_limited");
        }
    }

    private long ledgerTables() {
        return Db.query(source, "postgres", Long.class, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'");
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
