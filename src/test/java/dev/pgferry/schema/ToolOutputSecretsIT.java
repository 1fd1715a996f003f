package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.faults.TickPauses;
import dev.pgferry.pg.ToolOutput;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.Pages;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A postgres_fdw user mapping holds a password, and pg_restore prints a failing statement in full
 * ("Command was: CREATE USER MAPPING ... OPTIONS (password '...')"). The restore is made to fail
 * on it (the role it names is dropped on the destination right before the copy, as an admin
 * might), on a destination that logs every DDL statement: the error is shown, the password is in
 * no page, API answer, pgferry log line or destination server log line; the next attempt, with
 * the role created again, carries the user mapping over, still without logging it, and a role's
 * password hash copied with it is not logged either.
 */
@ExtendWith(OutputCaptureExtension.class)
class ToolOutputSecretsIT {

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.loggingDestination();

    @Test
    void aRestoreThatFailsOnAUserMappingShowsTheErrorWithoutItsPassword(CapturedOutput output) throws Exception {
        String secret = "fdw-secret-" + System.nanoTime();
        Db.execute(source, "postgres", "CREATE ROLE fdw_reader NOLOGIN",
                "CREATE ROLE fdw_app LOGIN PASSWORD 'fdw app secret'");
        String hash = Db.query(source, "postgres", String.class,
                "SELECT rolpassword FROM pg_authid WHERE rolname = 'fdw_app'");
        Db.sampleDatabase(source, "fdw_shop", 50);
        Db.execute(source, "fdw_shop", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO fdw_app");
        Db.execute(source, "fdw_shop", "CREATE EXTENSION postgres_fdw",
                "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '1', "
                        + "dbname 'elsewhere')",
                "CREATE USER MAPPING FOR fdw_reader SERVER remote OPTIONS (user 'remote_user', password '"
                        + secret + "')");
        TickPauses.Pause beforeCopy = TickPauses.arm("before:StartSnapshotCopy", "fdw", "fdw_shop");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("fdw", "src", "dst", "fdw_shop", "run").start()) {
            assertThat(beforeCopy.awaitHeld(Duration.ofMinutes(2))).as("a tick reached the copy").isTrue();
            // pgferry created the user mapping's role in this tick (it is a role the database needs)
            assertThat(Db.list(destination, "postgres", String.class,
                    "SELECT rolname FROM pg_roles WHERE rolname = 'fdw_reader'")).containsExactly("fdw_reader");
            Db.execute(destination, "postgres", "DROP ROLE fdw_reader");
            beforeCopy.release();

            String[] failed = new String[1];
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                String api = app.mapping("fdw").toString();
                failed[0] = api;
                return api.contains("role \\\"fdw_reader\\\" does not exist");
            });
            assertThat(failed[0]).contains("CREATE USER MAPPING FOR fdw_reader SERVER remote OPTIONS")
                    .contains("password '" + ToolOutput.REDACTED + "'").doesNotContain(secret);
            Pages pages = Pages.loggedIn(app.port(), PgferryApp.VIEWER, PgferryApp.VIEWER_PASSWORD);
            assertThat(pages.get("/")).doesNotContain(secret);
            assertThat(pages.get("/mappings/fdw")).doesNotContain(secret);
            assertThat(pages.get("/mappings/fdw/database?name=fdw_shop")).doesNotContain(secret);

            // the next attempt creates the role again and carries the user mapping over
            app.awaitPhase("fdw", "READY", Duration.ofMinutes(3));
            assertThat(Db.list(destination, "fdw_shop", String.class, "SELECT string_agg(o, ',' ORDER BY o) "
                    + "FROM pg_user_mappings, unnest(umoptions) o WHERE usename = 'fdw_reader'"))
                    .containsExactly("password=" + secret + ",user=remote_user");
            assertThat(app.api().get().uri("/api/mappings/fdw").retrieve().body(String.class)).doesNotContain(secret);
            app.api().post().uri("/api/mappings/fdw/complete?force=true").retrieve().toBodilessEntity();
            app.awaitPhase("fdw", "COMPLETE", Duration.ofMinutes(1));
        }
        assertThat(output.getAll()).as("pgferry logged the failure").contains("does not exist")
                .contains("CREATE USER MAPPING").doesNotContain(secret);
        String serverLog = destination.serverLog();
        assertThat(serverLog).as("the destination logged the failure, not the statement")
                .contains("role \"fdw_reader\" does not exist").doesNotContain(secret)
                .as("nor the CREATE ROLE that copied a password hash").doesNotContain(hash);
        assertThat(Db.query(destination, "postgres", String.class,
                "SELECT rolpassword FROM pg_authid WHERE rolname = 'fdw_app'")).isEqualTo(hash);
    }
}
