package dev.pgferry.demo;

import dev.pgferry.PgferryApplication;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.pg.Identifiers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo ({@code ./mvnw spring-boot:run -Pdemo}): an embedded PostgreSQL 15 source holding the
 * sample shop with a live writer, an embedded PostgreSQL 18 destination, and one mapping in run
 * mode, so the whole migration plays out on the dashboard.
 */
public final class DemoLauncher {

    static final String DATABASE = "shop";
    static final String LOGIN = "demo";
    /** The application's own role: the one a freeze holds back. */
    static final String APPLICATION_ROLE = "shop_app";

    private DemoLauncher() {
    }

    public static void main(String[] args) throws SQLException {
        String sourcePassword = UUID.randomUUID().toString();
        String destinationPassword = UUID.randomUUID().toString();
        System.out.println("pgferry demo: starting PostgreSQL 15 (source) and 18 (destination) ...");
        EmbeddedPostgres source = EmbeddedPostgres.start(15, sourcePassword);
        EmbeddedPostgres destination = EmbeddedPostgres.start(18, destinationPassword);
        String applicationPassword = UUID.randomUUID().toString();
        createSampleDatabase(source, applicationPassword);
        SampleWriter writer = new SampleWriter(source.jdbcUrl(DATABASE), APPLICATION_ROLE, applicationPassword,
                Duration.ofMillis(100), Duration.ofHours(4));
        Runtime.getRuntime().addShutdownHook(new Thread(writer::close, "stop-sample-writer"));

        Map<String, Object> properties = new HashMap<>();
        instance(properties, "source", source);
        instance(properties, "destination", destination);
        properties.put("pgferry.mappings.demo.source", "source");
        properties.put("pgferry.mappings.demo.destination", "destination");
        properties.put("pgferry.mappings.demo.databases", DATABASE);
        properties.put("pgferry.mappings.demo.mode", "run");
        properties.put("pgferry.mappings.demo.allow-freeze", "true");
        properties.put("pgferry.users." + LOGIN + ".password", LOGIN);
        properties.put("pgferry.users." + LOGIN + ".role", "operator");
        properties.put("pgferry.ready.stable-for", "10s");
        properties.put("server.address", "127.0.0.1");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(PgferryApplication.class)
                .profiles("demo").properties(properties).run(args);
        String port = context.getEnvironment().getProperty("local.server.port", "8080");
        System.out.printf("""

                ================================================================
                 pgferry demo is running
                   dashboard:   http://localhost:%s/
                   log in as:   %s / %s
                   cutover:     http://localhost:%s/mappings/demo/cutover (the freeze is allowed)
                   source:      PostgreSQL 15 on 127.0.0.1:%d (database %s, live writes as %s)
                   destination: PostgreSQL 18 on 127.0.0.1:%d
                 Stop with Ctrl+C (the embedded servers stop with it).
                ================================================================
                %n""", port, LOGIN, LOGIN, port, source.port(), DATABASE, APPLICATION_ROLE, destination.port());
    }

    private static void createSampleDatabase(EmbeddedPostgres source, String applicationPassword)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(source.jdbcUrl("postgres"), source.superuser(),
                source.password()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
            s.execute("CREATE ROLE " + APPLICATION_ROLE + " LOGIN PASSWORD " + Identifiers.literal(applicationPassword));
        }
        try (Connection c = DriverManager.getConnection(source.jdbcUrl(DATABASE), source.superuser(),
                source.password()); Statement s = c.createStatement()) {
            SampleSchema.create(c, 20_000);
            s.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APPLICATION_ROLE);
            s.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APPLICATION_ROLE);
        }
    }

    private static void instance(Map<String, Object> properties, String name, EmbeddedPostgres server) {
        String prefix = "pgferry.instances." + name + ".";
        properties.put(prefix + "host", server.host());
        properties.put(prefix + "port", Integer.toString(server.port()));
        properties.put(prefix + "user", server.superuser());
        properties.put(prefix + "password", server.password());
    }
}
