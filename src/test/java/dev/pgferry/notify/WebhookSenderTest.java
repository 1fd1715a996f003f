package dev.pgferry.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pgferry.config.NotifyTarget;
import dev.pgferry.config.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery to a real HTTP receiver started by the test: messages arrive once each and in order,
 * signed; a 500 is tried again, a 404 is not; a receiver that hangs holds up only its own
 * messages (offering never blocks; the oldest give way when the queue is full); every outcome is
 * counted; the URL's path never shows.
 */
class WebhookSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the receiver got it. */
    record Received(String body, String signature, String event) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private HttpServer server;
    private WebhookSender sender;

    /** A receiver at /hooks/secret-path answering each request (1, 2, ...) with the status the function gives; 0 hangs. */
    private URI receiver(IntUnaryOperator status) throws IOException {
        AtomicInteger requests = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hooks/secret-path", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int code = status.applyAsInt(requests.incrementAndGet());
            if (code == 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                code = 200;
            }
            if (code == 200) {
                received.add(new Received(body, exchange.getRequestHeaders().getFirst("X-Pgferry-Signature"),
                        exchange.getRequestHeaders().getFirst("X-Pgferry-Event")));
            }
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/secret-path");
    }

    private WebhookSender sender(URI url, NotifyTarget.Format format, Secret secret, WebhookSender.Delivery delivery) {
        sender = new WebhookSender(new NotifyTarget("ops", url, format, Set.copyOf(NotifyTarget.EVENTS), secret),
                delivery, Clock.systemUTC(), registry);
        return sender;
    }

    private static Notification message(int n) {
        return new Notification("phase", "shop", "db" + n, "shop/db" + n + ": COPYING → STREAMING", "streaming",
                Instant.parse("2026-12-02T10:00:00Z"), Map.of("phase", "STREAMING"));
    }

    private double counted(String outcome) {
        return registry.find("pgferry.notifications").tags("target", "ops", "outcome", outcome).counter().count();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (sender != null) {
            sender.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void messagesArriveOnceEachInOrderSignedWithTheSecret() throws Exception {
        WebhookSender s = sender(receiver(n -> 200), NotifyTarget.Format.JSON, Secret.of("hmac-key"),
                WebhookSender.Delivery.DEFAULT);
        for (int i = 1; i <= 3; i++) {
            s.offer(message(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 3);
        assertThat(received).extracting(r -> JSON.readTree(r.body()).at("/database").asText())
                .containsExactly("db1", "db2", "db3");
        Received first = received.getFirst();
        assertThat(first.signature()).isEqualTo(Payloads.signature("hmac-key", first.body()))
                .startsWith("sha256=").hasSize(7 + 64);
        assertThat(first.event()).isEqualTo("phase");
        JsonNode body = JSON.readTree(first.body());
        assertThat(body.at("/title").asText()).isEqualTo("shop/db1: COPYING → STREAMING");
        assertThat(body.at("/facts/phase").asText()).isEqualTo("STREAMING");
        assertThat(body.at("/at").asText()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(counted("sent")).isEqualTo(3.0);
        assertThat(s.state().sent()).isEqualTo(3);
        assertThat(s.state().url()).isEqualTo("http://127.0.0.1:" + server.getAddress().getPort() + "/…");
    }

    @Test
    void aReceiverAnswering500IsTriedAgainAndGetsTheMessageOnce() throws Exception {
        WebhookSender s = sender(receiver(n -> n <= 2 ? 500 : 200), NotifyTarget.Format.JSON, Secret.none(),
                new WebhookSender.Delivery(5, Duration.ofMillis(100), Duration.ofSeconds(5), 10));
        s.offer(message(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> counted("sent") == 1.0);
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().signature()).as("no secret, no signature").isNull();
        assertThat(counted("retried")).isEqualTo(2.0);
        assertThat(counted("failed")).isZero();
    }

    @Test
    void aRefusingReceiverIsNotTriedAgainAndAFailureNamesNoPath() throws Exception {
        WebhookSender s = sender(receiver(n -> 404), NotifyTarget.Format.SLACK, Secret.none(),
                new WebhookSender.Delivery(5, Duration.ofMillis(100), Duration.ofSeconds(5), 10));
        s.offer(message(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> counted("failed") == 1.0);
        assertThat(counted("retried")).isZero();
        assertThat(s.state().lastError()).startsWith("HTTP 404").doesNotContain("secret-path");
        assertThat(s.state().lastFailedAt()).isNotNull();
    }

    @Test
    void aHangingReceiverHoldsUpOnlyItsOwnQueueWhichDropsItsOldest() throws Exception {
        WebhookSender s = sender(receiver(n -> 0), NotifyTarget.Format.JSON, Secret.none(),
                new WebhookSender.Delivery(1, Duration.ofMillis(100), Duration.ofSeconds(2), 5));
        // the first message is taken and hangs; the queue holds five more; every further offer
        // returns at once and pushes the oldest out
        for (int i = 1; i <= 20; i++) {
            s.offer(message(i));
        }
        assertThat(s.state().queued()).isLessThanOrEqualTo(5);
        assertThat(counted("dropped")).isGreaterThanOrEqualTo(14.0);
        await().atMost(Duration.ofSeconds(20)).until(() -> counted("failed") >= 1.0);
        assertThat(s.state().lastError()).contains("HttpTimeoutException").doesNotContain("secret-path");
    }

    @Test
    void slackAndTeamsGetTheShapesTheirWebhooksRead() throws Exception {
        Notification n = new Notification("failure", "shop", "a", "shop/a FAILED", "[x] <broke> & more",
                Instant.parse("2026-12-02T10:00:00Z"), Map.of());
        JsonNode slack = JSON.readTree(Payloads.body(NotifyTarget.Format.SLACK, n));
        assertThat(slack.at("/text").asText()).isEqualTo("*pgferry: shop/a FAILED*\n[x] &lt;broke&gt; &amp; more");
        JsonNode teams = JSON.readTree(Payloads.body(NotifyTarget.Format.TEAMS, n));
        assertThat(teams.at("/type").asText()).isEqualTo("message");
        assertThat(teams.at("/attachments/0/contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        assertThat(teams.at("/attachments/0/content/body/0/text").asText()).isEqualTo("pgferry: shop/a FAILED");
        assertThat(teams.at("/attachments/0/content/body/1/text").asText()).isEqualTo("[x] <broke> & more");
        // a known HMAC-SHA256 vector (RFC 4231 test case 2)
        assertThat(Payloads.signature("Jefe", "what do ya want for nothing?")).isEqualTo(
                "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
