package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The native copy method (the subscription copies the tables), pgferry halted right after each of
 * its steps in turn while an application writes: after the publication, the roles, the database,
 * its settings, the schema copy, and the subscription (so the servers' own initial copy runs on
 * while pgferry is gone). Each next process takes the next step; the last one reaches READY with
 * every row and one subscription, and complete leaves nothing behind.
 */
class CrashAtEveryStepNativeIT {

    private static final String DB = "crash_native";
    private static final String MAPPING = "crashnative";
    private static final String ROLE = "crash_native_reader";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);
    @RegisterExtension
    final PgferryProcesses processes = new PgferryProcesses();

    private PgferryProcess pgferry() {
        return processes.mapping(MAPPING, MAPPING, DB, source, destination)
                .env("PGFERRY_MAPPINGS_CRASHNATIVE_COPY_METHOD", "native");
    }

    @Test
    void everyStepOfTheNativeMethodSurvivesAHaltRightAfterIt() throws Exception {
        Db.execute(source, "postgres", "CREATE ROLE " + ROLE + " NOLOGIN");
        migration.create(40_000);
        // a grant and a setting of the database, so that configuring it is a step of its own
        Db.execute(source, DB, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + ROLE,
                "GRANT CONNECT ON DATABASE " + DB + " TO " + ROLE, "ALTER DATABASE " + DB + " SET work_mem = '8MB'");
        try (SampleWriter writer = migration.writer(Duration.ofMillis(5))) {
            for (String step : List.of("CreatePublication", "CreateRoles", "CreateDatabase", "ConfigureDatabase",
                    "CopySchema", "CreateSubscription")) {
                PgferryProcess halted = pgferry().crashAfter(step).start();
                halted.awaitCrash(Duration.ofMinutes(2));
            }
            assertThat(migration.subscriptions()).as("the subscription was created once").hasSize(1);
            List<Long> subscription = migration.subscriptions();

            try (PgferryProcess last = pgferry().start()) {
                last.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
                assertThat(writer.transactions()).isPositive();
                writer.close();
                assertThat(Db.query(destination, DB, Boolean.class, "SELECT has_table_privilege(?, "
                        + "'public.orders', 'SELECT')", ROLE)).as("the role and its grant were copied").isTrue();
                assertThat(migration.subscriptions()).as("nothing created twice").isEqualTo(subscription);
                // every row arrived, pgferry's verification agrees, one of each object, nothing left
                migration.verifyAndComplete(last);
            }
        }
    }
}
