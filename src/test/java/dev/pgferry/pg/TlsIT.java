package dev.pgferry.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestCertificates;
import dev.pgferry.testing.TestServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS as production uses it: a PostgreSQL 17 source with a certificate for {@code localhost} made
 * by a test CA, which demands a client certificate of pgferry's role (pg_hba.conf
 * {@code hostssl ... clientcert=verify-full}). With the right CA, host name and client
 * certificate, pgferry's own sessions and its pg_dump 18 connect and the migration runs; with
 * another CA, or a host name the certificate does not hold, the database is BLOCKED by
 * source.reachable with the TLS reason and nothing is written. The subscription (which runs on the
 * destination server, where pgferry's files are not) takes the replication address without TLS.
 */
class TlsIT {

    private static final EmbeddedPostgres SOURCE = TestServers.tlsSource();
    private static final EmbeddedPostgres DESTINATION = TestServers.destination();
    private static final String USER = "ferry_tls";
    private static final String PASSWORD = "tls 'secret'";

    @TempDir
    static Path dir;
    private static TestCertificates rightCa;
    private static TestCertificates otherCa;
    private static Path[] client;

    @BeforeAll
    static void tlsOnTheSource() throws Exception {
        rightCa = TestCertificates.authority(dir, "right");
        otherCa = TestCertificates.authority(dir, "other");
        Path[] server = rightCa.server("server", "localhost");
        client = rightCa.client("client", USER);
        String cert = SOURCE.copyIntoDataDir(server[0]);
        String key = SOURCE.copyIntoDataDir(server[1]);
        String ca = SOURCE.copyIntoDataDir(rightCa.certificate());
        Db.execute(SOURCE, "postgres", "ALTER SYSTEM SET ssl = on", "ALTER SYSTEM SET ssl_cert_file = '" + cert + "'",
                "ALTER SYSTEM SET ssl_key_file = '" + key + "'", "ALTER SYSTEM SET ssl_ca_file = '" + ca + "'");
        SOURCE.replaceHba(List.of(
                // pgferry's role over TLS only with a certificate whose CN is the role's name
                "hostssl all " + USER + " 127.0.0.1/32 scram-sha-256 clientcert=verify-full",
                // the destination server's subscription: the replication address, without TLS
                "hostnossl all " + USER + " 127.0.0.1/32 scram-sha-256",
                "host all all 127.0.0.1/32 scram-sha-256"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "on".equals(Db.query(SOURCE, "postgres", String.class,
                "SHOW ssl")));
        Db.execute(SOURCE, "postgres", "CREATE ROLE tls_owner NOLOGIN",
                "CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD.replace("'", "''")
                        + "' IN ROLE tls_owner, pg_read_all_data");
        for (String database : List.of("tls_shop", "tls_wrong_ca", "tls_wrong_host")) {
            Db.execute(SOURCE, "postgres", "CREATE DATABASE " + database + " OWNER tls_owner",
                    "GRANT CREATE ON DATABASE " + database + " TO " + USER);
        }
        try (Connection c = Db.connect(SOURCE, "tls_shop"); var s = c.createStatement()) {
            s.execute("SET ROLE tls_owner");
            dev.pgferry.demo.SampleSchema.create(c, 300);
        }
        Db.execute(SOURCE, "tls_wrong_ca", "CREATE TABLE t (id int PRIMARY KEY)", "ALTER TABLE t OWNER TO tls_owner");
        Db.execute(SOURCE, "tls_wrong_host", "CREATE TABLE t (id int PRIMARY KEY)", "ALTER TABLE t OWNER TO tls_owner");
    }

    @Test
    void verifyFullWithTheRightCaAndAClientCertificateMigratesAndAWrongCaOrHostNameBlocksWritingNothing()
            throws Exception {
        try (PgferryApp app = tls(tls(tls(new PgferryApp(), "src", rightCa), "wrongca", otherCa), "wronghost", rightCa)
                .property("pgferry.instances.wronghost.host", "127.0.0.1")
                .instance("dst", DESTINATION)
                .mapping("tls", "src", "dst", "tls_shop", "run")
                .mapping("tlsca", "wrongca", "dst", "tls_wrong_ca", "run")
                .mapping("tlshost", "wronghost", "dst", "tls_wrong_host", "run").start()) {
            app.awaitPhase("tls", "READY", Duration.ofMinutes(3));
            Db.execute(SOURCE, "tls_shop", "INSERT INTO products (title, price) VALUES ('over tls', 3)");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(DESTINATION, "tls_shop",
                    Long.class, "SELECT count(*) FROM products WHERE title = 'over tls'")).isEqualTo(1L));
            // every session of pgferry's on the source is TLS with its client certificate; pg_dump
            // could only have connected the same way (pg_hba.conf lets this role in by no other path)
            List<String> sessions = Db.list(SOURCE, "postgres", String.class, "SELECT a.application_name || ' ssl=' "
                    + "|| s.ssl || ' dn=' || coalesce(s.client_dn, '-') FROM pg_stat_activity a JOIN pg_stat_ssl s "
                    + "USING (pid) WHERE a.usename = ? AND a.backend_type = 'client backend'", USER);
            assertThat(sessions).isNotEmpty().allSatisfy(s -> assertThat(s).startsWith("pgferry ssl=true dn=/CN="
                    + USER));
            for (String table : dev.pgferry.demo.SampleSchema.TABLES) {
                assertThat(Db.fingerprint(DESTINATION, "tls_shop", table)).as(table)
                        .isEqualTo(Db.fingerprint(SOURCE, "tls_shop", table));
            }

            JsonNode wrongCa = check(app.awaitPhase("tlsca", "BLOCKED", Duration.ofSeconds(60)), "source.reachable");
            assertThat(wrongCa.at("/message").asText()).containsIgnoringCase("certif");
            assertThat(wrongCa.at("/fix").asText()).contains("PGFERRY_INSTANCES_WRONGCA_SSLROOTCERT");
            JsonNode wrongHost = check(app.awaitPhase("tlshost", "BLOCKED", Duration.ofSeconds(60)),
                    "source.reachable");
            assertThat(wrongHost.at("/message").asText()).contains("127.0.0.1").containsIgnoringCase("hostname");
            assertThat(wrongHost.at("/fix").asText()).contains("PGFERRY_INSTANCES_WRONGHOST_HOST");
            for (String database : List.of("tls_wrong_ca", "tls_wrong_host")) {
                assertThat(Db.list(DESTINATION, "postgres", String.class, "SELECT datname FROM pg_database "
                        + "WHERE datname = ?", database)).isEmpty();
            }
            assertThat(Db.pgferryObjects(SOURCE, "tlsca")).isEmpty();
            assertThat(Db.pgferryObjects(SOURCE, "tlshost")).isEmpty();
            assertThat(Db.publications(SOURCE, "tls_wrong_ca")).isEmpty();
            assertThat(app.mapping("tlsca").toString()).doesNotContain("secret");

            app.api().post().uri("/api/mappings/tls/complete").retrieve().toBodilessEntity();
            app.awaitPhase("tls", "COMPLETE", Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(SOURCE, "tls")).isEmpty();
            assertThat(Db.pgferryObjects(DESTINATION, "tls")).isEmpty();
        });
    }

    /** An instance on the TLS source as pgferry's role: host localhost, verify-full, the CA given, the client certificate. */
    private static PgferryApp tls(PgferryApp app, String name, TestCertificates ca) {
        String prefix = "pgferry.instances." + name + ".";
        return app.instance(name, SOURCE, USER, PASSWORD)
                .property(prefix + "host", "localhost")
                .property(prefix + "sslmode", "verify-full")
                .property(prefix + "sslrootcert", ca.certificate().toString())
                .property(prefix + "sslcert", client[0].toString())
                .property(prefix + "sslkey", client[1].toString())
                .property(prefix + "replication-host", "127.0.0.1")
                .property(prefix + "replication-sslmode", "disable");
    }

    private static JsonNode check(JsonNode mapping, String id) {
        for (JsonNode c : mapping.at("/databases/0/checks")) {
            if (c.at("/id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no check " + id + " in " + mapping.toPrettyString());
    }
}
