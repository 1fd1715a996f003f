package dev.pgferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryProcess;
import dev.pgferry.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar started as the image starts it (the Dockerfile's ENTRYPOINT and JVM options),
 * configured only by environment variables, as the Helm chart renders them: the source's
 * password from a mounted file, the destination's from a command (as a cloud IAM token is), and
 * JSON logs. It reaches STREAMING against real servers; every log line is a JSON object, those
 * about the database carry the mapping and database as fields, and no password is printed.
 */
class PackagedJarIT {

    private static final String DB = "jar_shop";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void theJarConfiguredByEnvironmentAloneReachesStreaming(@TempDir Path secrets) throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE " + DB);
        try (Connection c = Db.connect(source, DB)) {
            SampleSchema.create(c, 2_000);
        }
        Path sourcePassword = secrets.resolve("source-password");
        Files.writeString(sourcePassword, source.password() + "\n");
        Path token = secrets.resolve("destination-token");
        Files.writeString(token, destination.password());
        for (Path file : List.of(sourcePassword, token)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }

        try (PgferryProcess pgferry = new PgferryProcess("jar").asTheImageRunsIt()
                .instance("src", source).without("PGFERRY_INSTANCES_SRC_PASSWORD")
                .env("PGFERRY_INSTANCES_SRC_PASSWORD_FILE", sourcePassword.toString())
                .instance("dst", destination).without("PGFERRY_INSTANCES_DST_PASSWORD")
                .env("PGFERRY_INSTANCES_DST_PASSWORD_COMMAND", "cat '" + token + "'")
                .env("PGFERRY_MAPPINGS_JAR_SOURCE", "src").env("PGFERRY_MAPPINGS_JAR_DESTINATION", "dst")
                .env("PGFERRY_MAPPINGS_JAR_DATABASES", DB).env("PGFERRY_MAPPINGS_JAR_MODE", "run")
                .env("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs").start()) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(pgferry.mapping("jar").at("/databases/0/phase").asText())
                            .isIn("STREAMING", "READY"));
            assertThat(Db.query(destination, DB, Long.class, "SELECT count(*) FROM orders"))
                    .isEqualTo(Db.query(source, DB, Long.class, "SELECT count(*) FROM orders"));

            String output = pgferry.output();
            assertThat(output).doesNotContain(source.password()).doesNotContain(destination.password());
            List<JsonNode> lines = new ArrayList<>();
            for (String line : output.lines().toList()) {
                if (line.isBlank() || line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
                    continue; // the JVM's own notice of the image's options, not a log line
                }
                lines.add(JSON.readTree(line));
            }
            assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.has("message")).as(line.toString())
                    .isTrue());
            List<JsonNode> aboutTheDatabase = lines.stream().filter(l -> l.path("message").asText()
                    .contains("create publication")).toList();
            assertThat(aboutTheDatabase).isNotEmpty().allSatisfy(line -> {
                assertThat(line.path("mapping").asText()).as(line.toString()).isEqualTo("jar");
                assertThat(line.path("database").asText()).as(line.toString()).isEqualTo(DB);
            });

            pgferry.api().post().uri("/api/mappings/jar/complete?force=true").retrieve().toBodilessEntity();
            pgferry.awaitPhase("jar", "COMPLETE", Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.pgferryObjects(source, "jar")).isEmpty();
                assertThat(Db.pgferryObjects(destination, "jar")).isEmpty();
            });
        }
    }
}
