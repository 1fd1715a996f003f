package dev.pgferry.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.pg.QuietSession;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source password travels in CREATE and ALTER SUBSCRIPTION: on a destination that logs every
 * DDL statement (log_statement = ddl) and every failing statement's text (the default), neither
 * the first password nor a rotated one reaches the destination's server log, while pgferry's
 * other DDL is logged there as configured.
 */
class ServerLogSecretsIT {

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.loggingDestination();

    @Test
    void neitherTheFirstNorARotatedSourcePasswordReachesTheDestinationsLog(@TempDir Path dir) throws Exception {
        String first = "first-log-secret-" + System.nanoTime();
        String rotated = "rotated-log-secret-" + System.nanoTime();
        Db.execute(source, "postgres", "CREATE ROLE log_ferry LOGIN SUPERUSER PASSWORD '" + first + "'");
        Db.sampleDatabase(source, "log_shop", 200);
        Path passwordFile = dir.resolve("source-password");
        Files.writeString(passwordFile, first);
        try (PgferryApp app = new PgferryApp().instance("src", source, "log_ferry", first)
                .without("pgferry.instances.src.password")
                .property("pgferry.instances.src.password-file", passwordFile.toString())
                .instance("dst", destination).mapping("logs", "src", "dst", "log_shop", "run").start()) {
            app.awaitPhase("logs", "READY", Duration.ofMinutes(3));
            Db.execute(source, "postgres", "ALTER ROLE log_ferry PASSWORD '" + rotated + "'");
            Files.writeString(passwordFile, rotated);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Db.query(destination, "postgres",
                    Long.class, "SELECT count(*) FROM pgferry.audit_log WHERE mapping = 'logs' "
                            + "AND action = 'subscription-connection'")).isGreaterThanOrEqualTo(1L));
            app.api().post().uri("/api/mappings/logs/complete?force=true").retrieve().toBodilessEntity();
            app.awaitPhase("logs", "COMPLETE", Duration.ofMinutes(1));
        }
        String log = destination.serverLog();
        assertThat(log).as("pgferry's other DDL is logged as the server says").containsPattern("LOG:  (statement|execute <unnamed>): CREATE DATABASE");
        assertThat(log).doesNotContain(first).doesNotContain(rotated);
    }

    @Test
    void aFailingStatementOfAQuietSessionLeavesNoTextInTheLogAndOfAnyOtherSessionItDoes() throws Exception {
        String quiet = "quiet-marker-" + System.nanoTime();
        String loud = "loud-marker-" + System.nanoTime();
        try (Connection c = Db.connect(destination, "postgres")) {
            assertThat(QuietSession.quiet(c)).as("a superuser may set every one").isEmpty();
            assertThatThrownBy(() -> c.createStatement().execute("CREATE SUBSCRIPTION quiet_probe CONNECTION "
                    + "'host=/nonexistent password=" + quiet + "' PUBLICATION p WITH (connect = false, no_such_option = true)"))
                    .isInstanceOf(SQLException.class);
        }
        try (Connection c = Db.connect(destination, "postgres")) {
            assertThatThrownBy(() -> c.createStatement().execute("CREATE SUBSCRIPTION loud_probe CONNECTION "
                    + "'host=/nonexistent password=" + loud + "' PUBLICATION p WITH (connect = false, no_such_option = true)"))
                    .isInstanceOf(SQLException.class);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(destination.serverLog()).contains(loud));
        assertThat(destination.serverLog()).doesNotContain(quiet);
    }
}
