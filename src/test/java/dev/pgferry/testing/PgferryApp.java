package dev.pgferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.PgferryApplication;
import java.time.Duration;
import dev.pgferry.embedded.EmbeddedPostgres;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * A whole pgferry server started in the test JVM with its configuration given as properties
 * (the same tree the environment variables bind to), on a random port, and stopped at will:
 * a stop and a new start is a restart. pg_dump and pg_restore are the 18 client, as in the image.
 */
public final class PgferryApp implements AutoCloseable, Pgferry {

    public static final String OPERATOR = "ops";
    public static final String OPERATOR_PASSWORD = "ops-secret";
    public static final String VIEWER = "watcher";
    public static final String VIEWER_PASSWORD = "watcher-secret";

    private final Map<String, Object> properties = new HashMap<>();
    private ConfigurableApplicationContext context;

    public PgferryApp() {
        properties.put("server.port", "0");
        properties.put("server.address", "127.0.0.1");
        properties.put("pgferry.poll-interval", "1s");
        properties.put("pgferry.ready.stable-for", "2s");
        properties.put("pgferry.users." + OPERATOR + ".password", OPERATOR_PASSWORD);
        properties.put("pgferry.users." + OPERATOR + ".role", "operator");
        properties.put("pgferry.users." + VIEWER + ".password", VIEWER_PASSWORD);
        properties.put("pgferry.users." + VIEWER + ".role", "viewer");
        properties.put("pgferry.pg-bin-dir", PgClients.eighteen());
    }

    /** pg_dump and pg_restore from Debian 12's own client 15 instead of the image's 18: what a laptop has. */
    public PgferryApp hostClient() {
        properties.put("pgferry.pg-bin-dir", PgClients.host());
        return this;
    }

    public PgferryApp instance(String name, EmbeddedPostgres server) {
        String prefix = "pgferry.instances." + name + ".";
        properties.put(prefix + "host", server.host());
        properties.put(prefix + "port", Integer.toString(server.port()));
        properties.put(prefix + "user", server.superuser());
        properties.put(prefix + "password", server.password());
        return this;
    }

    /** An instance on a test server reached with another role (or a wrong password). */
    public PgferryApp instance(String name, EmbeddedPostgres server, String user, String password) {
        instance(name, server);
        properties.put("pgferry.instances." + name + ".user", user);
        properties.put("pgferry.instances." + name + ".password", password);
        return this;
    }

    /** An instance where nothing listens. */
    public PgferryApp deadInstance(String name, int port) {
        String prefix = "pgferry.instances." + name + ".";
        properties.put(prefix + "host", "127.0.0.1");
        properties.put(prefix + "port", Integer.toString(port));
        properties.put(prefix + "user", "nobody");
        properties.put(prefix + "password", "nothing");
        return this;
    }

    /** Leaves a property out (e.g. a password given another way). */
    public PgferryApp without(String key) {
        properties.remove(key);
        return this;
    }

    public PgferryApp property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    public PgferryApp mapping(String name, String source, String destination, String databases, String mode) {
        String prefix = "pgferry.mappings." + name + ".";
        properties.put(prefix + "source", source);
        properties.put(prefix + "destination", destination);
        properties.put(prefix + "databases", databases);
        properties.put(prefix + "mode", mode);
        return this;
    }

    public PgferryApp start() {
        context = new SpringApplicationBuilder(PgferryApplication.class).properties(properties).run();
        return this;
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The JSON API as the operator. */
    @Override
    public RestClient api() {
        return RestClient.builder().baseUrl("http://127.0.0.1:" + port())
                .defaultHeaders(h -> h.setBasicAuth(OPERATOR, OPERATOR_PASSWORD)).build();
    }

    /** Waits until the API shows the mapping in that phase, and returns the mapping as the API shows it. */
    @Override
    public JsonNode awaitPhase(String mapping, String phase, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            last[0] = mapping(mapping);
            assertThat(last[0].at("/phase").asText()).as(last[0].toPrettyString()).isEqualTo(phase);
        });
        return last[0];
    }

    /** The mapping as GET /api/mappings/{name} shows it. */
    @Override
    public JsonNode mapping(String mapping) {
        return api().get().uri("/api/mappings/{name}", mapping).retrieve().body(JsonNode.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Stops the server as a pod stop would (graceful shutdown of the web server and the loop). */
    @Override
    public void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
