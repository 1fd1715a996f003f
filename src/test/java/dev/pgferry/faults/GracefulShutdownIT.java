package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryProcess;
import dev.pgferry.testing.PgferryProcesses;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGTERM (a pod stopped) in the middle of a slow snapshot copy: pgferry cancels the copy, lets
 * its running actions end and exits within Kubernetes' default grace period, with none of its
 * sessions left on either server and nothing subscribed on a partial copy; the next start copies
 * the database again and reaches READY with every row.
 */
class GracefulShutdownIT {

    /** Kubernetes' default terminationGracePeriodSeconds: after it, the pod is killed. */
    private static final Duration KUBERNETES_GRACE = Duration.ofSeconds(30);
    private static final String DB = "term_shop";
    private static final String MAPPING = "term";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);
    @RegisterExtension
    final PgferryProcesses processes = new PgferryProcesses();

    private PgferryProcess pgferry(String rate) {
        return processes.mapping(MAPPING, MAPPING, DB, source, destination).env("PGFERRY_MAPPINGS_TERM_COPY_MAX_RATE",
                rate);
    }

    @Test
    void sigtermDuringACopyStopsWithinTheBoundAndTheNextStartCopiesAgain() throws Exception {
        migration.create(40_000);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10))) {
            PgferryProcess copying = pgferry("1MB").start();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(copying.mapping(MAPPING).at("/databases/0/copyBytesDone")
                            .asLong()).isPositive());

            int status = copying.terminate(KUBERNETES_GRACE);
            assertThat(status).as("ended by SIGTERM after its shutdown").isEqualTo(143);
            assertThat(copying.output()).contains("stopping: 1 snapshot copy cancelled")
                    .contains("stopped: every running action finished");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (EmbeddedPostgres server : List.of(source, destination)) {
                    assertThat(Db.list(server, "postgres", String.class, "SELECT datname::text FROM pg_stat_activity "
                            + "WHERE application_name = 'pgferry'")).as("sessions of pgferry left").isEmpty();
                }
            });
            assertThat(migration.subscriptions()).as("never subscribed on a partial copy").isEmpty();

            try (PgferryProcess next = pgferry("0").start()) {
                next.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
                writer.close();
                // every row arrived, pgferry's verification agrees, one of each object, nothing left
                migration.verifyAndComplete(next);
            }
        }
    }
}
