package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The servers fail under pgferry while an application writes: the source restarted in the middle
 * of the snapshot copy and again while streaming, the destination restarted in the middle of the
 * copy that came back (resumed, see {@code ResumedCopyIT}) and while streaming, the replication connection between the servers
 * cut (walsender terminated), and pgferry's own sessions on both servers cut. Each time the
 * migration comes back to READY by itself; at the end every row is on the destination and
 * complete leaves nothing behind.
 */
class ServerFaultsIT {

    private static final String DB = "fault_shop";
    private static final String MAPPING = "faults";
    private final EmbeddedPostgres source = TestServers.secondSource();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);

    @Test
    void theMigrationComesBackAfterRestartsAndCutConnectionsWithEveryRow() throws Exception {
        migration.create(20_000);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10));
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                        .mapping(MAPPING, "src", "dst", DB, "run")
                        .property("pgferry.mappings.faults.copy-max-rate", "512KB").start()) {
            // the source restarts in the middle of the snapshot copy: the copy fails and comes back by
            // itself, resumed in its database with the tables it finished (an empty partition finishes
            // at once), or started over in a new one had none finished
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(app.mapping(MAPPING).at("/databases/0/copyBytesDone").asLong()).isPositive());
            long partialCopy = destinationDatabaseOid();
            source.stop();
            Thread.sleep(2000);
            source.startAgain();
            // the destination restarts in the middle of the copy that came back
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .untilAsserted(() -> {
                        JsonNode database = app.mapping(MAPPING).at("/databases/0");
                        assertThat(database.at("/phase").asText()).isIn("COPYING", "CATCHING_UP");
                        assertThat(database.at("/reason").asText().contains("resum")
                                || destinationDatabaseOid() != partialCopy).isTrue();
                    });
            destination.stop();
            Thread.sleep(2000);
            destination.startAgain();
            awaitReady(app, Duration.ofMinutes(3));
            assertThat(migration.subscriptions()).hasSize(1);

            // the destination restarts while streaming
            destination.stop();
            Thread.sleep(2000);
            destination.startAgain();
            awaitReady(app, Duration.ofMinutes(2));

            // the source restarts while streaming
            source.stop();
            Thread.sleep(2000);
            source.startAgain();
            awaitReady(app, Duration.ofMinutes(2));

            // the replication connection between the servers is cut (READY holds while the apply
            // worker is reconnecting after the restart: wait for its walsender first)
            await().atMost(Duration.ofSeconds(30)).until(() -> Db.query(source, "postgres", Long.class,
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'") > 0);
            assertThat(Db.query(source, "postgres", Long.class, "SELECT count(pg_terminate_backend(pid)) FROM "
                    + "pg_stat_activity WHERE backend_type = 'walsender'")).isPositive();
            awaitReady(app, Duration.ofMinutes(1));

            // pgferry's own sessions on both servers are cut
            for (EmbeddedPostgres server : List.of(source, destination)) {
                Db.query(server, "postgres", Long.class, "SELECT count(pg_terminate_backend(pid)) FROM "
                        + "pg_stat_activity WHERE application_name = 'pgferry' AND pid <> pg_backend_pid()");
            }
            awaitReady(app, Duration.ofMinutes(1));
            assertThat(writer.transactions()).isPositive();
            writer.close();
            // every row arrived, pgferry's verification agrees, one of each object all along, nothing left
            migration.verifyAndComplete(app);
        }
    }

    /** READY, or a failure that says what the servers show (the API's view alone did not tell why). */
    private void awaitReady(PgferryApp app, Duration atMost) {
        try {
            app.awaitPhase(MAPPING, "READY", atMost);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + migration.diagnosis(), e);
        }
    }

    private long destinationDatabaseOid() {
        return Db.query(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database WHERE datname = ?",
                DB);
    }
}
