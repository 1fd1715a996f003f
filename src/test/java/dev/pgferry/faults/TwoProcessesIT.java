package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryProcess;
import dev.pgferry.testing.PgferryProcesses;
import dev.pgferry.testing.SampleMigration;
import dev.pgferry.testing.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.client.HttpClientErrorException;

/**
 * Two pgferry processes (two jars, the same variables, as a second pod or a laptop run would be)
 * on one mapping from the start, under writes: exactly one holds the mapping's lease and acts,
 * the other observes and says who acts; the copy runs once (the destination database keeps its
 * OID), one slot; the passive one refuses operator actions with 409. Killed with SIGKILL, the
 * active one's lease passes to the other within seconds, which completes the mapping: every row
 * equal, nothing left over.
 */
class TwoProcessesIT {

    private static final String DB = "lease_shop";
    private static final String MAPPING = "lease";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private final SampleMigration migration = SampleMigration.of(source, destination, MAPPING, DB);
    @RegisterExtension
    final PgferryProcesses processes = new PgferryProcesses();

    private PgferryProcess pgferry(String host) {
        return processes.mapping("lease-" + host, MAPPING, DB, source, destination).env("HOSTNAME", host)
                .env("PGFERRY_MAPPINGS_LEASE_COPY_WORKERS", "2").env("PGFERRY_MAPPINGS_LEASE_COPY_MAX_RATE", "2MB");
    }

    @Test
    void exactlyOneActsAndTheOtherTakesOverWhenItDies() throws Exception {
        migration.create(30_000);
        try (SampleWriter writer = migration.writer(Duration.ofMillis(10))) {
            PgferryProcess a = pgferry("pgferry-a").start();
            PgferryProcess b = pgferry("pgferry-b").start();

            // one of them acts, the other says which
            JsonNode[] views = new JsonNode[2];
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                    .untilAsserted(() -> {
                        views[0] = a.mapping(MAPPING);
                        views[1] = b.mapping(MAPPING);
                        assertThat(views[0].at("/active").asBoolean() ^ views[1].at("/active").asBoolean())
                                .as(views[0] + "\n" + views[1]).isTrue();
                        assertThat(views[0].at("/passive").asText() + views[1].at("/passive").asText())
                                .contains("passive: another pgferry (pgferry-");
                    });
            PgferryProcess active = views[0].at("/active").asBoolean() ? a : b;
            PgferryProcess passive = active == a ? b : a;
            JsonNode passiveView = passive.mapping(MAPPING);
            assertThat(passiveView.at("/leaseHolder").asText())
                    .startsWith(active == a ? "pgferry-a:" : "pgferry-b:");
            assertThat(active.mapping(MAPPING).at("/leaseHolder").asText())
                    .isEqualTo(passiveView.at("/leaseHolder").asText());

            // the copy runs once: the destination database is created once and keeps its OID
            await().atMost(Duration.ofMinutes(1)).until(() -> databaseOid() != null);
            Long oid = databaseOid();
            HttpClientErrorException refused = (HttpClientErrorException) org.assertj.core.api.Assertions
                    .catchThrowable(() -> passive.api().post().uri("/api/mappings/lease/freeze?force=true")
                            .retrieve().toBodilessEntity());
            assertThat(refused.getStatusCode().value()).isEqualTo(409);
            assertThat(refused.getResponseBodyAsString()).contains("passive: another pgferry");
            active.awaitPhase(MAPPING, "READY", Duration.ofMinutes(3));
            passive.awaitPhase(MAPPING, "READY", Duration.ofMinutes(1));
            assertThat(databaseOid()).isEqualTo(oid);
            assertThat(slots()).hasSize(1);
            assertThat(passive.output()).doesNotContain("snapshot copy done").doesNotContain("holds its lease");
            assertThat(active.output()).contains("snapshot copy done");

            // the active one dies without a word; the other takes the lease within seconds
            Instant killed = Instant.now();
            active.kill();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(passive.mapping(MAPPING).at("/active").asBoolean()).isTrue());
            System.out.println("lease passed over in " + Duration.between(killed, Instant.now()).toMillis() + " ms");
            passive.awaitPhase(MAPPING, "READY", Duration.ofMinutes(1));
            writer.close();
            assertThat(databaseOid()).as("never copied again").isEqualTo(oid);
            // every row arrived, pgferry's verification agrees, one of each object, nothing left
            migration.verifyAndComplete(passive);
        }
    }

    private Long databaseOid() {
        List<Long> oids = Db.list(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_database "
                + "WHERE datname = ?", DB);
        return oids.isEmpty() ? null : oids.getFirst();
    }

    private List<String> slots() {
        return Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                + "WHERE slot_name LIKE 'pgferry\\_lease\\_%'");
    }
}
