package dev.pgferry.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A destination table held under an ACCESS EXCLUSIVE lock (as the snapshot copy holds a table it
 * empties and loads in one transaction, for minutes when it is large) does not hold up the
 * ticks: the destination's observation reads no size that would wait for the lock. Seen at 10 GB,
 * where the tick waited for the copy of a 2 GB table until its statement timeout and the database
 * read as unreachable.
 */
class LockedDestinationTableIT {

    private static final String DB = "locked_shop";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void aTableLockedOnTheDestinationDoesNotHoldUpTheTicks() throws Exception {
        SampleMigration migration = SampleMigration.of(source, destination, "locked", DB).create(200);
        // empty: no pages, so no planner's page count to read its size from
        Db.execute(source, DB, "CREATE TABLE quiet (id int PRIMARY KEY)");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("locked", "src", "dst", DB, "run").start()) {
            app.awaitPhase("locked", "READY", Duration.ofMinutes(3));
            try (Connection c = Db.connect(destination, DB)) {
                c.setAutoCommit(false);
                c.createStatement().execute("LOCK TABLE quiet IN ACCESS EXCLUSIVE MODE");
                Instant locked = Instant.now();
                // past the observation's statement timeout (30 s): a tick waiting for the lock would
                // have its query cancelled and the database read as unreachable
                await().during(Duration.ofSeconds(35)).atMost(Duration.ofSeconds(45))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> {
                            JsonNode mapping = app.mapping("locked");
                            return mapping.at("/databases/0/phase").asText().equals("READY")
                                    && mapping.at("/databases/0/lastError").isNull();
                        });
                assertThat(Instant.parse(app.mapping("locked").at("/observedAt").asText()))
                        .isAfter(locked.plusSeconds(35));
                c.rollback();
            }
            migration.completeLeavingNothing(app);
        }
    }
}
