package dev.pgferry.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.pg.ConnInfo;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TcpForwarder;
import dev.pgferry.testing.TestServers;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * pgferry reaches the source through a proxy (a TCP forwarder on another port) while the
 * destination server's subscription connects to the source directly, at the replication address:
 * the subscription names that address, keeps streaming when pgferry's path is gone, and an
 * address the destination cannot reach blocks before anything is created.
 */
class ReplicationAddressIT {

    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();

    @Test
    void theSubscriptionConnectsAtTheReplicationAddressAndStreamsWithoutPgferrysPath() throws Exception {
        Db.sampleDatabase(source, "ra_shop", 500);
        Db.execute(source, "postgres", "CREATE DATABASE ra_lost");
        Db.execute(source, "ra_lost", "CREATE TABLE t (id int PRIMARY KEY)");
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }
        try (TcpForwarder proxy = new TcpForwarder(source.host(), source.port()).start();
                PgferryApp app = new PgferryApp().instance("src", source).instance("lost", source)
                        .instance("dst", destination)
                        // pgferry through the proxy; the destination server directly
                        .property("pgferry.instances.src.port", Integer.toString(proxy.port()))
                        .property("pgferry.instances.src.replication-host", source.host())
                        .property("pgferry.instances.src.replication-port", Integer.toString(source.port()))
                        // a replication address where nothing listens
                        .property("pgferry.instances.lost.replication-port", Integer.toString(closed))
                        .mapping("ra", "src", "dst", "ra_shop", "run")
                        .mapping("ralost", "lost", "dst", "ra_lost", "run").start()) {
            JsonNode ready = app.awaitPhase("ra", "READY", Duration.ofMinutes(3));
            String conninfo = Db.query(destination, "ra_shop", String.class,
                    "SELECT subconninfo FROM pg_subscription WHERE subname = ?",
                    ReplicationNames.of("ra", "ra_shop").subscription());
            assertThat(conninfo).contains("port='" + source.port() + "'").doesNotContain(Integer.toString(proxy.port()));
            assertThat(ready.toString()).doesNotContain(ConnInfo.PROBE_PASSWORD);

            // the destination never needed pgferry's path: gone, and the changes keep arriving
            proxy.stop();
            Db.execute(source, "ra_shop", "INSERT INTO products (title, price) VALUES ('after the proxy', 7)");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Db.query(destination, "ra_shop",
                    Long.class, "SELECT count(*) FROM products WHERE title = 'after the proxy'")).isEqualTo(1L));

            // the unreachable replication address: blocked by the probe, nothing created
            JsonNode lost = app.awaitPhase("ralost", "BLOCKED", Duration.ofSeconds(60));
            JsonNode check = null;
            for (JsonNode c : lost.at("/databases/0/checks")) {
                if (c.at("/id").asText().equals("destination.reaches_source")) {
                    check = c;
                }
            }
            assertThat(check).as(lost.toPrettyString()).isNotNull();
            assertThat(check.at("/level").asText()).isEqualTo("block");
            assertThat(check.at("/message").asText()).startsWith("the destination server cannot reach the source at "
                    + source.host() + ":" + closed + ": ").contains("refused");
            assertThat(check.at("/fix").asText()).contains("PGFERRY_INSTANCES_LOST_REPLICATION_HOST");
            assertThat(Db.list(destination, "postgres", String.class, "SELECT datname FROM pg_database "
                    + "WHERE datname = 'ra_lost'")).isEmpty();
            assertThat(Db.pgferryObjects(source, "ralost")).isEmpty();

            // pgferry's path back: complete removes everything
            proxy.start();
            app.awaitPhase("ra", "READY", Duration.ofSeconds(60));
            app.api().post().uri("/api/mappings/ra/complete").retrieve().toBodilessEntity();
            app.awaitPhase("ra", "COMPLETE", Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(source, "ra")).isEmpty();
            assertThat(Db.pgferryObjects(destination, "ra")).isEmpty();
        });
    }
}
