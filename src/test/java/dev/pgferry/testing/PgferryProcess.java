package dev.pgferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.web.client.RestClient;

/**
 * pgferry as users run it, in its own process: the packaged jar ({@code java -jar}, built by
 * {@code package} before the integration tests run), configured by PGFERRY_* environment
 * variables only. Unlike {@link PgferryApp} it can be killed without any shutdown
 * ({@link #kill()}: SIGKILL), as an evicted pod or a crashed JVM is.
 */
public final class PgferryProcess implements AutoCloseable, Pgferry {

    private static final String USER = "ops";
    private static final String PASSWORD = "ops-secret";

    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private boolean imageCommand;
    private final String name;
    private Process process;
    private int port;
    /** Numbers the logs of all processes of the test run, so none overwrites another's. */
    private static final java.util.concurrent.atomic.AtomicInteger STARTS = new java.util.concurrent.atomic.AtomicInteger();
    private int start;

    public PgferryProcess(String name) {
        this.name = name;
        env.put("PGFERRY_USERS_OPS_PASSWORD", PASSWORD);
        env.put("PGFERRY_USERS_OPS_ROLE", "operator");
        env.put("PGFERRY_POLL_INTERVAL", "1s");
        env.put("PGFERRY_READY_STABLE_FOR", "2s");
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("PGFERRY_PG_BIN_DIR", PgClients.eighteen());
    }

    public PgferryProcess instance(String instance, EmbeddedPostgres server) {
        String prefix = "PGFERRY_INSTANCES_" + instance.toUpperCase() + "_";
        env.put(prefix + "HOST", server.host());
        env.put(prefix + "PORT", Integer.toString(server.port()));
        env.put(prefix + "USER", server.superuser());
        env.put(prefix + "PASSWORD", server.password());
        return this;
    }

    /** Leaves a variable out (e.g. a password given another way). */
    public PgferryProcess without(String variable) {
        env.remove(variable);
        return this;
    }

    /**
     * Runs the jar exactly as the image does: the Dockerfile's ENTRYPOINT ({@code java -jar}) and
     * its JVM options (JAVA_TOOL_OPTIONS, MALLOC_ARENA_MAX), read from the Dockerfile itself.
     */
    public PgferryProcess asTheImageRunsIt() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        var options = java.util.regex.Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(dockerfile);
        var arenas = java.util.regex.Pattern.compile("MALLOC_ARENA_MAX=(\\d+)").matcher(dockerfile);
        assertThat(options.find() && arenas.find()).as("the Dockerfile sets JAVA_TOOL_OPTIONS and MALLOC_ARENA_MAX")
                .isTrue();
        assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/pgferry.jar\"]");
        // the image's temporary directory is a mounted /tmp; here the system's
        env.put("JAVA_TOOL_OPTIONS", options.group(1));
        env.put("MALLOC_ARENA_MAX", arenas.group(1));
        imageCommand = true;
        return this;
    }

    /** A PGFERRY_* variable (or any other), as a deployment sets it. */
    public PgferryProcess env(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    /** Arms crash points ({@link dev.pgferry.faults.CrashPoints}): the process halts right after one of them. */
    public PgferryProcess crashAfter(String... points) {
        jvmOptions.add("-Dpgferry.crash-after=" + String.join(",", points));
        return this;
    }

    /** Waits until the process halted at an armed crash point (and fails if it ended otherwise). */
    public void awaitCrash(Duration atMost) throws InterruptedException {
        assertThat(process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS))
                .as("pgferry reached its crash point within " + atMost + " (log: " + log() + ")").isTrue();
        assertThat(process.exitValue()).as("halted at the crash point, not ended otherwise (log: " + log() + ")")
                .isEqualTo(dev.pgferry.faults.CrashPoints.EXIT_STATUS);
    }

    /**
     * SIGTERM, as Kubernetes stops a pod; fails unless the process exits within the bound.
     * Returns its exit status (143: ended by the signal, after its shutdown).
     */
    public int terminate(Duration bound) throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS))
                .as("pgferry stopped within " + bound + " of SIGTERM (log: " + log() + ")").isTrue();
        return process.exitValue();
    }

    /** What the process wrote so far. */
    public String output() throws IOException {
        return Files.readString(Path.of(log()));
    }

    private String log() {
        return "target/faults/" + name + "-" + start + ".log";
    }

    public PgferryProcess start() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (!imageCommand) {
            command.addAll(FastStart.JVM_OPTIONS);
        }
        command.addAll(jvmOptions);
        command.addAll(imageCommand ? List.of("-jar", jar().toString()) : FastStart.launch(jar()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        start = STARTS.incrementAndGet();
        Path log = Path.of("target", "faults", name + "-" + start + ".log");
        Files.createDirectories(log.getParent());
        process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return this;
    }

    /** SIGKILL: no shutdown hook, no graceful stop; the servers see the connections drop. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, as Kubernetes stops a pod, then waits for the exit. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Override
    public RestClient api() {
        return RestClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeaders(h -> h.setBasicAuth(USER, PASSWORD)).build();
    }

    /** The mapping as the API shows it, once the process answers. */
    @Override
    public JsonNode mapping(String mapping) {
        return api().get().uri("/api/mappings/{name}", mapping).retrieve().body(JsonNode.class);
    }

    @Override
    public JsonNode awaitPhase(String mapping, String phase, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(300)).ignoreExceptions().untilAsserted(() -> {
            assertThat(process.isAlive()).as("pgferry runs (log: target/faults/" + name + "-" + start + ".log)")
                    .isTrue();
            last[0] = mapping(mapping);
            assertThat(last[0].at("/phase").asText()).as(last[0].toPrettyString()).isEqualTo(phase);
        });
        return last[0];
    }

    private static Path jar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("pgferry-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-plain.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/pgferry-*.jar: run ./mvnw verify, "
                            + "which packages it before the integration tests"));
        }
    }
}
