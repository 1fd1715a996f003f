package dev.pgferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A source whose password command fails (exits 1), and one whose command never ends, beside a
 * healthy mapping: their databases show why (the hanging one stopped after 30 s), and the healthy
 * mapping keeps streaming, its status refreshed every tick.
 */
class FailingPasswordIT {

    private static final String DB = "pw_shop";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres secondSource = TestServers.secondSource();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void aFailingPasswordCommandStopsOnlyItsOwnMapping() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 2_000);
        }
        Db.execute(secondSource, "postgres", "CREATE DATABASE pw_other", "CREATE DATABASE pw_hanging");
        try (SampleWriter writer = new SampleWriter(source.jdbcUrl(DB), source.superuser(), source.password(),
                Duration.ofMillis(20), Duration.ofMinutes(5));
                PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                        .property("pgferry.instances.broken.host", secondSource.host())
                        .property("pgferry.instances.broken.port", Integer.toString(secondSource.port()))
                        .property("pgferry.instances.broken.user", secondSource.superuser())
                        .property("pgferry.instances.broken.password-command", "echo 'no token today' >&2; exit 1")
                        // a command that never ends (a prompt for a token that nobody answers)
                        .property("pgferry.instances.hanging.host", secondSource.host())
                        .property("pgferry.instances.hanging.port", Integer.toString(secondSource.port()))
                        .property("pgferry.instances.hanging.user", secondSource.superuser())
                        .property("pgferry.instances.hanging.password-command", "sleep 6021; echo late")
                        .mapping("healthy", "src", "dst", DB, "run")
                        .mapping("broken", "broken", "dst", "pw_other", "run")
                        .mapping("hanging", "hanging", "dst", "pw_hanging", "run").start()) {
            app.awaitPhase("healthy", "READY", Duration.ofMinutes(2));
            JsonNode broken = app.mapping("broken").at("/databases/0");
            assertThat(broken.at("/phase").asText()).isEqualTo("BLOCKED");
            assertThat(broken.at("/reason").asText()).contains("the password of instance broken is not available")
                    .contains("exited with status 1").doesNotContain("no token today");

            // the healthy mapping is looked at every tick, and the writes arrive
            Set<String> observed = new HashSet<>();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                observed.add(app.mapping("healthy").at("/observedAt").asText());
                assertThat(observed).hasSizeGreaterThanOrEqualTo(5);
            });
            long before = Db.query(destination, DB, Long.class, "SELECT max(id) FROM events");
            await().atMost(Duration.ofSeconds(30)).until(() -> Db.query(destination, DB, Long.class,
                    "SELECT max(id) FROM events") > before);
            assertThat(app.mapping("broken").at("/databases/0/phase").asText()).isEqualTo("BLOCKED");

            // the hanging command is stopped after 30 s, with its processes, and says so on its database
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(app.mapping("hanging")
                    .at("/databases/0/reason").asText()).contains("the password of instance hanging is not available: "
                            + "the password command did not finish in 30 s and was stopped"));
            assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(line -> line.contains("sleep 6021")).toList()).isEmpty();
            observed.clear();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                observed.add(app.mapping("healthy").at("/observedAt").asText());
                assertThat(observed).hasSizeGreaterThanOrEqualTo(3);
            });
            writer.close();
            app.api().post().uri("/api/mappings/healthy/complete?force=true").retrieve().toBodilessEntity();
            app.awaitPhase("healthy", "COMPLETE", Duration.ofMinutes(1));
        }
    }
}
