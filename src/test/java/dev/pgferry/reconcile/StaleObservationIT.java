package dev.pgferry.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.copy.SnapshotProgress;
import dev.pgferry.copy.SnapshotCopies;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.faults.TickPauses;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The race a tick must never lose: it reads a database's catalogs while the snapshot copy runs
 * (no subscription yet), and is held there (a {@link TickPauses} point) while the copy finishes
 * and subscribes. Released, it acts on what it saw: nothing of the finished copy may be taken for
 * an interrupted one. No slot dropped, no database dropped, the database streams, every row equal.
 */
@ExtendWith(OutputCaptureExtension.class)
class StaleObservationIT {

    private static final String DB = "race_shop";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, "race", DB);

    @Test
    void aTickHeldWhileTheCopyFinishesDropsNothing(CapturedOutput output) throws Exception {
        migration.create(20_000);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10));
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                        .mapping("race", "src", "dst", DB, "run").property("pgferry.mappings.race.copy-workers", "1")
                        .property("pgferry.mappings.race.copy-max-rate", "1MB").start()) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(app.mapping("race").at("/databases/0/copyBytesDone").asLong()).isPositive());
            long oid = Db.query(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database "
                    + "WHERE datname = ?", DB);

            // the next tick reads the catalogs while the copy runs, and waits there
            TickPauses.Pause pause = TickPauses.arm("observed", "race", DB);
            assertThat(pause.awaitHeld(Duration.ofSeconds(30))).as("a tick reached the pause").isTrue();
            assertThat(migration.subscriptions()).as("the held tick saw no subscription").isEmpty();
            SnapshotCopies copies = app.bean(SnapshotCopies.class);
            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> copies
                        .last("race", DB).map(c -> c.state().stage() == SnapshotProgress.Stage.DONE).orElse(false));
                assertThat(migration.subscriptions()).as("the copy subscribed meanwhile").hasSize(1);
            } finally {
                pause.release();
            }

            app.awaitPhase("race", "READY", Duration.ofMinutes(2));
            assertThat(output.getOut()).doesNotContain("drop the leftover replication slot")
                    .doesNotContain("start the interrupted snapshot copy");
            assertThat(Db.query(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database "
                    + "WHERE datname = ?", DB)).as("the database was never dropped").isEqualTo(oid);
            assertThat(Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                    + "WHERE slot_name = 'pgferry_race_race_shop' AND active")).as("the slot streams").hasSize(1);
            assertThat(migration.subscriptions()).hasSize(1);
            writer.close();
            migration.awaitEveryTableEqual();
            migration.completeLeavingNothing(app);
        }
    }
}
