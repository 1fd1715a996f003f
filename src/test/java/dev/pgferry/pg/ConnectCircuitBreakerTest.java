package dev.pgferry.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Secret;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The circuit breaker per instance, against a host that accepts TCP connections and drops them at
 * once (a server going down, a proxy cutting): after enough failed connects the next ones fail
 * without touching the network, with a message that names the instance and what to check; the
 * other instances are not affected.
 */
class ConnectCircuitBreakerTest {

    @Test
    void repeatedConnectFailuresPauseConnectsToThatInstanceOnly() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket dropper = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!dropper.isClosed()) {
                    try (Socket socket = dropper.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(Map.of("pg-instance", CircuitBreakerConfig
                    .custom().slidingWindowSize(4).minimumNumberOfCalls(2).failureRateThreshold(50)
                    .waitDurationInOpenState(Duration.ofMinutes(5)).build()));
            PgConnector connector = new PgConnector(RetryRegistry.of(RetryConfig.custom().maxAttempts(1).build()),
                    breakers, Clock.systemUTC());
            Instance dropping = new Instance("flaky", "127.0.0.1", dropper.getLocalPort(), "u", Secret.of("pw"),
                    "disable", "postgres");
            Instance other = new Instance("other", "127.0.0.1", dropper.getLocalPort(), "u", Secret.of("pw"),
                    "disable", "postgres");

            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> connector.act(dropping, "shop")).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
            }
            int reachedTheNetwork = accepted.get();
            assertThat(reachedTheNetwork).isPositive();

            assertThatThrownBy(() -> connector.observe(dropping, "shop")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("connections to instance flaky are paused")
                    .hasMessageContaining("2 of its last 2 connection attempts failed")
                    .hasMessageContaining("Check that the server runs")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
            assertThat(accepted.get()).as("the open breaker does not connect").isEqualTo(reachedTheNetwork);

            assertThatThrownBy(() -> connector.act(other, "shop")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("paused"));
            assertThat(accepted.get()).as("another instance still connects").isGreaterThan(reachedTheNetwork);
            assertThat(breakers.circuitBreaker("pg-flaky").getState().name()).isEqualTo("OPEN");
            assertThat(breakers.circuitBreaker("pg-other").getState().name()).isEqualTo("CLOSED");
            connector.destroy();
        }
    }
}
