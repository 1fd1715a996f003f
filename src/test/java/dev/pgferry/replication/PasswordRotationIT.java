package dev.pgferry.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.Await;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The source password changes while a database streams (the role's password on the source and
 * the mounted Secret file, as a rotation does): pgferry gives the subscription the new one
 * within a tick, audits it without the value, shows it on the database page, and the changes
 * keep arriving after the walsender is cut and the apply worker must log in again.
 */
class PasswordRotationIT {

    private static final String DB = "rot_shop";
    private static final String ROLE = "rot_mover";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void aRotatedPasswordReachesTheSubscriptionBeforeItsNextLogin() throws Exception {
        Db.execute(source, "postgres", "CREATE ROLE " + ROLE + " SUPERUSER LOGIN PASSWORD 'first rotation'");
        Db.sampleDatabase(source, DB, 200);
        Path secret = Files.createTempFile("pgferry-rotating-", ".pw");
        Files.writeString(secret, "first rotation\n");
        String slot = ReplicationNames.of("rot", DB).slot();
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .property("pgferry.instances.src.user", ROLE).without("pgferry.instances.src.password")
                .property("pgferry.instances.src.password-file", secret.toString())
                .mapping("rot", "src", "dst", DB, "run").start()) {
            app.awaitPhase("rot", "READY", Duration.ofMinutes(3));

            // the rotation: the role's password on the source, then the Secret file
            Db.execute(source, "postgres", "ALTER ROLE " + ROLE + " PASSWORD 'second rotation'");
            Files.writeString(secret, "second rotation\n");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.list(destination, "postgres",
                    String.class, "SELECT detail FROM pgferry.audit_log WHERE mapping = 'rot' AND actor = 'pgferry' "
                            + "AND action = 'subscription-connection'")).hasSize(1));
            String detail = Db.query(destination, "postgres", String.class, "SELECT detail FROM pgferry.audit_log "
                    + "WHERE mapping = 'rot' AND action = 'subscription-connection'");
            assertThat(detail).contains(ReplicationNames.of("rot", DB).subscription()).doesNotContain("rotation");
            assertThat(Db.query(destination, DB, String.class, "SELECT subconninfo FROM pg_subscription "
                    + "WHERE subname = ?", ReplicationNames.of("rot", DB).subscription())).contains("second rotation");

            // the apply worker must log in again: with the new password, changes keep arriving
            await().atMost(Duration.ofSeconds(30)).until(() -> Db.query(source, "postgres", Boolean.class,
                    "SELECT active FROM pg_replication_slots WHERE slot_name = ?", slot));
            Db.query(source, "postgres", Boolean.class, "SELECT pg_terminate_backend(active_pid) "
                    + "FROM pg_replication_slots WHERE slot_name = ?", slot);
            Db.execute(source, DB, "INSERT INTO products (title, price) VALUES ('after the rotation', 3)");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Db.query(destination, DB,
                    Long.class, "SELECT count(*) FROM products WHERE title = 'after the rotation'")).isEqualTo(1L));
            Await.everyTableEqual(source, destination, DB, SampleMigration.TABLES);

            // shown in the API (and on the database page, DatabasePageWebTest), never the value
            String api = app.api().get().uri("/api/mappings/rot").retrieve().body(String.class);
            assertThat(app.mapping("rot").at("/databases/0/subscriptionConnectionUpdatedAt").asText()).startsWith("20");
            assertThat(api).doesNotContain("rotation");
            // nothing else was done twice: one update for one rotation
            assertThat(Db.list(destination, "postgres", String.class, "SELECT action FROM pgferry.audit_log "
                    + "WHERE mapping = 'rot' AND action = 'subscription-connection'")).isEqualTo(List.of(
                    "subscription-connection"));

            app.awaitPhase("rot", "READY", Duration.ofSeconds(60));
            app.api().post().uri("/api/mappings/rot/complete").retrieve().toBodilessEntity();
            app.awaitPhase("rot", "COMPLETE", Duration.ofSeconds(60));
        } finally {
            Files.deleteIfExists(secret);
        }
    }
}
