package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryVerification;
import dev.pgferry.testing.PgferryProcess;
import dev.pgferry.testing.PgferryProcesses;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pgferry killed without any shutdown (SIGKILL, as an evicted pod or a crashed JVM) at each phase
 * of a migration, while an application writes to the source as its own role, and started again:
 * before its first look, in the middle of the snapshot copy, halted at crash points inside the
 * copy (schema copy, index build, before subscribing), while streaming, right after the freeze,
 * the drain and the sequence sync, and in the middle of "complete". The native method's steps
 * are crashed one by one in {@link CrashAtEveryStepNativeIT}. Each time the next process finds where things stand on the
 * servers and goes on; at the end every row is on the destination, nothing of pgferry's is left,
 * and the unfreeze gives the application its login back (its writes then go to the old source
 * only: the migration is complete).
 */
class CrashAtEveryPhaseIT {

    private static final String DB = "crash_shop";
    private static final String MAPPING = "crash";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);

    @RegisterExtension
    final PgferryProcesses processes = new PgferryProcesses();

    private PgferryProcess pgferry(String rate) {
        return processes.mapping("crash", MAPPING, DB, source, destination)
                .env("PGFERRY_MAPPINGS_CRASH_ALLOW_FREEZE", "true").env("PGFERRY_MAPPINGS_CRASH_COPY_WORKERS", "2")
                .env("PGFERRY_MAPPINGS_CRASH_COPY_MAX_RATE", rate);
    }

    @Test
    void aKilledPgferryIsStartedAgainAtEveryPhaseAndNothingIsLostOrLeftOver() throws Exception {
        migration.create(40_000);
        Db.execute(source, "postgres", "CREATE ROLE crash_app LOGIN PASSWORD 'app-pw'",
                "REVOKE CONNECT ON DATABASE " + DB + " FROM PUBLIC", "GRANT CONNECT ON DATABASE " + DB
                        + " TO crash_app");
        Db.execute(source, DB, "GRANT ALL ON ALL TABLES IN SCHEMA public TO crash_app",
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO crash_app");
        try (SampleWriter writer = new SampleWriter(source.jdbcUrl(DB), "crash_app", "app-pw",
                Duration.ofMillis(5), Duration.ofMinutes(15))) {
            // before its first look: killed as soon as it answers
            PgferryProcess first = pgferry("1MB").start();
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> first.mapping(MAPPING) != null);
            first.kill();

            // in the middle of the snapshot copy (slowed to 1 MB/s)
            PgferryProcess copying = pgferry("1MB").start();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(copying.mapping(MAPPING).at("/databases/0/copyBytesDone")
                            .asLong()).isPositive());
            copying.kill();
            assertThat(migration.subscriptions()).as("never subscribed on a partial copy").isEmpty();

            // halted at chosen points of the copies that start over: the slot made and the schema
            // copy starting, the first table's indexes built while the others copy or build, and
            // everything copied but not yet subscribed
            // (a copy that had finished tables resumes instead: it halts once it has emptied the others)
            for (String point : List.of("copy:SCHEMA", "copy:indexed", "copy:SUBSCRIBING")) {
                PgferryProcess halted = pgferry("0").crashAfter(point, "resume:TRUNCATED").start();
                halted.awaitCrash(Duration.ofMinutes(2));
                assertThat(migration.subscriptions()).as("never subscribed on a partial copy (" + point + ")").isEmpty();
            }

            // started again: the interrupted copy resumes (tables finished) or starts over; killed while streaming
            PgferryProcess streaming = pgferry("0").start();
            streaming.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
            List<Long> subscriptionOids = migration.subscriptions();
            assertThat(subscriptionOids).hasSize(1);
            streaming.kill();

            // after the freeze (recorded on the destination before the source changed)
            PgferryProcess freezing = pgferry("0").start();
            freezing.awaitPhase(MAPPING, "READY", Duration.ofMinutes(2));
            assertThat(migration.subscriptions()).as("nothing created twice").isEqualTo(subscriptionOids);
            freezing.api().post().uri("/api/mappings/crash/freeze").retrieve().toBodilessEntity();
            freezing.kill();
            long writes = writer.transactions();
            // the freeze holds without pgferry: no transaction of the writer for 1.5 s
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                    .until(() -> writer.transactions() == writes);

            // the cutover goes on, a new process for each step, each killed right after its step
            PgferryProcess draining = pgferry("0").start();
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().untilAsserted(() -> assertThat(draining.api()
                    .get().uri("/api/mappings/crash/cutover").retrieve().body(JsonNode.class)
                    .at("/freeze/frozen").asBoolean()).isTrue());
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> draining.api().post()
                    .uri("/api/mappings/crash/drain").retrieve().toBodilessEntity());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(draining.mapping(MAPPING)
                    .at("/databases/0/drained").asBoolean()).isTrue());
            draining.kill();

            PgferryProcess syncing = pgferry("0").start();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> syncing.api().post()
                    .uri("/api/mappings/crash/sync-sequences").retrieve().toBodilessEntity());
            syncing.kill();
            migration.assertEveryTableEqual();

            // verified, then halted in the middle of "complete": its subscription dropped, the rest not
            PgferryProcess completing = pgferry("0").crashAfter("DropSubscription").start();
            completing.awaitPhase(MAPPING, "READY", Duration.ofMinutes(1));
            PgferryVerification.everyTableEqual(completing.api(), MAPPING);
            assertThatThrownBy(() -> completing.api().post().uri("/api/mappings/crash/complete").retrieve()
                    .toBodilessEntity()).as("the process halts while it answers").isNotNull();
            completing.awaitCrash(Duration.ofMinutes(1));
            assertThat(migration.subscriptions()).as("halted after dropping the subscription").isEmpty();
            assertThat(Db.publications(source, DB)).as("and before dropping the publication").isNotEmpty();

            // the completion was recorded first: the next process finishes the cleanup and unfreezes
            try (PgferryProcess last = pgferry("0").start()) {
                last.awaitPhase(MAPPING, "COMPLETE", Duration.ofMinutes(1));
                migration.awaitNothingLeft();
                // every row on the destination (the source stays frozen until the unfreeze below)
                migration.assertEveryTableEqual();
                last.api().post().uri("/api/mappings/crash/unfreeze").retrieve().toBodilessEntity();
                assertThat(Db.query(source, "postgres", Boolean.class, "SELECT rolcanlogin FROM pg_roles "
                        + "WHERE rolname = 'crash_app'")).isTrue();
                assertThat(Db.list(source, "postgres", String.class, "SELECT s.setconfig::text FROM "
                        + "pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = ?",
                        DB)).isEmpty();
            }
        } finally {
            Db.execute(source, "postgres", "ALTER ROLE crash_app LOGIN");
        }
    }
}
