package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryProcess;
import dev.pgferry.testing.PgferryProcesses;
import dev.pgferry.testing.PgferryVerification;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Turning a mapping around (issue 18), pgferry halted right after each of its steps in turn: the
 * reverse publication, the forward subscription dropped, the forward publication dropped, the
 * reverse slot, the reverse subscription. Each next process takes the next step from what the
 * servers show; the last one shows SWITCHED with one reverse subscription (never made twice), the
 * destination's writes reach the source, and complete leaves nothing of pgferry's on either side.
 */
class CrashWhileTurningAroundIT {

    private static final String DB = "crash_rev";
    private static final String MAPPING = "crashrev";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);
    @RegisterExtension
    final PgferryProcesses processes = new PgferryProcesses();

    private PgferryProcess pgferry() {
        return processes.mapping(MAPPING, MAPPING, DB, source, destination)
                .env("PGFERRY_MAPPINGS_CRASHREV_ALLOW_FREEZE", "true")
                .env("PGFERRY_MAPPINGS_CRASHREV_ALLOW_REVERSE", "true");
    }

    @Test
    void everyStepOfTurningAroundSurvivesAHaltRightAfterIt() throws Exception {
        migration.create(5_000);
        ReplicationNames back = ReplicationNames.reverse(MAPPING, DB);
        List<String> steps = List.of("CreateReversePublication", "DropSubscription", "DropPublication",
                "CreateReverseSlot", "CreateReverseSubscription");
        // the first process halts after the first step of turning around, once asked to turn
        PgferryProcess first = pgferry().crashAfter(steps.getFirst()).start();
        first.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
        post(first, "freeze");
        migration.drainAndSetSequences(first);
        PgferryVerification.everyTableEqual(first.api(), MAPPING);
        try {
            post(first, "reverse");
        } catch (RuntimeException e) {
            // the process may halt while it answers
        }
        first.awaitCrash(Duration.ofMinutes(1));
        assertThat(Db.publications(destination, DB)).containsExactly(back.publication());

        for (String step : steps.subList(1, steps.size())) {
            PgferryProcess halted = pgferry().crashAfter(step).start();
            halted.awaitCrash(Duration.ofMinutes(2));
        }
        List<Long> subscription = reverseSubscriptions();
        assertThat(subscription).as("the reverse subscription, made once").hasSize(1);

        try (PgferryProcess last = pgferry().start()) {
            last.awaitPhase(MAPPING, "SWITCHED", Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(last.mapping(MAPPING).at("/rollbackReady").asBoolean()).isTrue());
            assertThat(reverseSubscriptions()).as("nothing made twice").isEqualTo(subscription);
            assertThat(Db.publications(source, DB)).as("the forward publication is gone").isEmpty();
            assertThat(Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                    + "WHERE slot_name = ?", ReplicationNames.of(MAPPING, DB).slot())).isEmpty();
            try (SampleWriter writer = new SampleWriter(destination.jdbcUrl(DB), destination.superuser(),
                    destination.password(), Duration.ofMillis(5), Duration.ofMinutes(10))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 100);
            }
            migration.awaitEveryTableEqual();
            post(last, "complete");
            last.awaitPhase(MAPPING, "COMPLETE", Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(source, MAPPING)).isEmpty();
                assertThat(Db.pgferryObjects(destination, MAPPING)).isEmpty();
                assertThat(Db.publications(source, DB)).isEmpty();
                assertThat(Db.publications(destination, DB)).isEmpty();
            });
            post(last, "unfreeze");
        }
    }

    /**
     * A rollback, pgferry halted right after each of its steps in turn: the destination frozen
     * (before the rollback is recorded: asked again, it goes on), the source's sequences set, the
     * verification, the source unfrozen, the reverse subscription dropped. The last process shows
     * ROLLED_BACK with every row on the source, nothing of pgferry's left on either side and the
     * source's settings as before the first freeze.
     */
    @Test
    void everyStepOfARollbackSurvivesAHaltRightAfterIt() throws Exception {
        String db = "crash_rb";
        String mapping = "crashrb";
        SampleMigration back = SampleMigration.of(source, destination, mapping, db).create(5_000);
        List<String> settingsBefore = settings(db);
        PgferryProcess first = pgferry(mapping, db).start();
        first.awaitPhase(mapping, "READY", Duration.ofMinutes(3));
        post(first, mapping, "freeze");
        back.drainAndSetSequences(first);
        PgferryVerification.everyTableEqual(first.api(), mapping);
        post(first, mapping, "reverse");
        first.awaitPhase(mapping, "SWITCHED", Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(first.mapping(mapping).at("/rollbackReady").asBoolean()).isTrue());
        try (SampleWriter writer = new SampleWriter(destination.jdbcUrl(db), destination.superuser(),
                destination.password(), Duration.ofMillis(5), Duration.ofMinutes(10))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions() > 100);
        }
        first.kill();

        for (String step : List.of("RollbackFreezeDestination", "SetSourceSequences", "VerifyForRollback",
                "FinishRollback", "DropReverseSubscription")) {
            PgferryProcess halted = pgferry(mapping, db).crashAfter(step).start();
            if (step.equals("RollbackFreezeDestination") || step.equals("SetSourceSequences")) {
                halted.awaitPhase(mapping, "SWITCHED", Duration.ofMinutes(1));
                try {
                    // asked (again: the first halt left the destination frozen and nothing recorded)
                    post(halted, mapping, "rollback");
                } catch (RuntimeException e) {
                    // the process may halt while it answers
                }
            }
            halted.awaitCrash(Duration.ofMinutes(2));
        }
        try (PgferryProcess last = pgferry(mapping, db).start()) {
            last.awaitPhase(mapping, "ROLLED_BACK", Duration.ofMinutes(2));
            back.assertEveryTableEqual();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(source, mapping)).isEmpty();
                assertThat(Db.pgferryObjects(destination, mapping)).isEmpty();
                assertThat(Db.publications(source, db)).isEmpty();
                assertThat(Db.publications(destination, db)).isEmpty();
            });
            assertThat(settings(db)).as("the source unfrozen exactly").isEqualTo(settingsBefore);
            assertThat(Db.list(destination, "postgres", String.class, "SELECT action FROM pgferry.audit_log "
                    + "WHERE mapping = ? ORDER BY id", mapping)).containsSubsequence("reverse", "freeze destination",
                    "rollback", "rollback done");
            post(last, mapping, "unfreeze-destination");
        }
    }

    private PgferryProcess pgferry(String mapping, String db) {
        String prefix = "PGFERRY_MAPPINGS_" + mapping.toUpperCase(java.util.Locale.ROOT) + "_";
        return processes.mapping(mapping, mapping, db, source, destination).env(prefix + "ALLOW_FREEZE", "true")
                .env(prefix + "ALLOW_REVERSE", "true");
    }

    private static void post(PgferryProcess process, String mapping, String action) {
        process.api().post().uri("/api/mappings/{m}/" + action, mapping).retrieve().toBodilessEntity();
    }

    /** The source's database and role-in-database settings (what a freeze changes there). */
    private List<String> settings(String db) {
        return Db.list(source, "postgres", String.class, "SELECT coalesce(s.setconfig::text, '') FROM "
                + "pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = ? ORDER BY 1",
                db);
    }

    private static void post(PgferryProcess process, String action) {
        process.api().post().uri("/api/mappings/{m}/" + action, MAPPING).retrieve().toBodilessEntity();
    }

    private List<Long> reverseSubscriptions() {
        return Db.list(source, DB, Long.class, "SELECT oid::bigint FROM pg_subscription WHERE subname = ?",
                ReplicationNames.reverse(MAPPING, DB).subscription());
    }
}
