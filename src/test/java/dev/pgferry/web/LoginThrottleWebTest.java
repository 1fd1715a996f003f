package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.config.Secret;
import dev.pgferry.config.User;
import dev.pgferry.testing.MovableClock;
import dev.pgferry.web.login.LoginEvents;
import dev.pgferry.web.login.LoginMetrics;
import dev.pgferry.web.login.LoginThrottle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Brute force against the login form and HTTP Basic, with the real security configuration and a
 * clock the test moves: the throttle's time is the clock's, so nothing here waits or depends on
 * how fast the machine is.
 */
@WebMvcTest(controllers = LoginController.class)
@Import({SecurityConfig.class, LoginThrottleWebTest.Fixture.class, LoginThrottle.class, LoginMetrics.class,
        LoginEvents.class})
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class LoginThrottleWebTest {

    private static final String WRONG = "wrong-guess-7731";

    @Autowired
    MockMvc mvc;
    @Autowired
    MovableClock clock;
    @Autowired
    MeterRegistry registry;

    @TestConfiguration
    static class Fixture {
        @Bean
        PgferryConfig config() {
            return new PgferryConfig(Map.of(), List.of(),
                    List.of(new User("ops", Secret.of("ops-pw"), User.Role.OPERATOR),
                            new User("watcher", Secret.of("watch-pw"), User.Role.VIEWER)),
                    Duration.ofSeconds(5), new PgferryConfig.ReadinessThresholds(1024, Duration.ofSeconds(30)), null,
                    Duration.ofSeconds(5));
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        @Primary
        MovableClock movableClock() {
            return new MovableClock(Instant.parse("2026-12-01T12:00:00Z"));
        }
    }

    @Test
    void twentyWrongPasswordsThenTheRightOneIsRefusedUntilTheDelayPassesAndAnotherUserIsNotAffected(
            CapturedOutput output) throws Exception {
        int refusedAsWrong = 0;
        int throttled = 0;
        for (int i = 0; i < 20; i++) {
            MockHttpServletResponse response = formLogin("ops", WRONG, "10.1.1.1");
            if (response.getStatus() == 429) {
                throttled++;
            } else {
                assertThat(response.getRedirectedUrl()).isEqualTo("/login?error");
                refusedAsWrong++;
            }
        }
        // five free failures, the sixth bars the name for 1 s; the other 14 were never checked
        assertThat(refusedAsWrong).isEqualTo(LoginThrottle.FREE_PER_USER + 1);
        assertThat(throttled).isEqualTo(14);

        MockHttpServletResponse right = formLogin("ops", "ops-pw", "10.1.1.1");
        assertThat(right.getStatus()).isEqualTo(429);
        assertThat(right.getHeader("Retry-After")).isEqualTo("1");
        assertThat(right.getContentAsString()).contains("Too many failed logins");
        // from the same address, another user logs in at once
        assertThat(formLogin("watcher", "watch-pw", "10.1.1.1").getRedirectedUrl()).isEqualTo("/");

        clock.move(Duration.ofMillis(999));
        assertThat(formLogin("ops", "ops-pw", "10.1.1.1").getStatus()).isEqualTo(429);
        clock.move(Duration.ofMillis(1));
        assertThat(formLogin("ops", "ops-pw", "10.1.1.1").getRedirectedUrl()).isEqualTo("/");
        // the success cleared the count: a new mistake is one of five free ones again
        assertThat(formLogin("ops", WRONG, "10.1.1.1").getRedirectedUrl()).isEqualTo("/login?error");
        assertThat(formLogin("ops", "ops-pw", "10.1.1.1").getRedirectedUrl()).isEqualTo("/");

        assertThat(registry.counter("pgferry.login.failures").count()).isEqualTo(7.0);
        assertThat(registry.counter("pgferry.login.throttled").count()).isEqualTo(16.0);
        assertThat(output.getAll()).contains("login failed: user ops from 10.1.1.1 (6 failure(s) in a row for that "
                + "name)").doesNotContain(WRONG);
    }

    @Test
    void theDelayDoublesWithEachFailureAfterTheBarAndHttpBasicIsThrottledAlike() throws Exception {
        for (int i = 0; i < LoginThrottle.FREE_PER_USER + 1; i++) {
            assertThat(basic("ops", WRONG, "10.4.4.4").getStatus()).isEqualTo(401);
        }
        MockHttpServletResponse barred = basic("ops", "ops-pw", "10.4.4.4");
        assertThat(barred.getStatus()).isEqualTo(429);
        assertThat(barred.getHeader("Retry-After")).isEqualTo("1");
        clock.move(Duration.ofSeconds(1));
        assertThat(basic("ops", WRONG, "10.4.4.4").getStatus()).isEqualTo(401);
        assertThat(basic("ops", "ops-pw", "10.4.4.4").getHeader("Retry-After")).isEqualTo("2");
        clock.move(Duration.ofSeconds(2));
        assertThat(basic("ops", WRONG, "10.4.4.4").getStatus()).isEqualTo(401);
        assertThat(basic("ops", "ops-pw", "10.4.4.4").getHeader("Retry-After")).isEqualTo("4");
    }

    @Test
    void oneAddressTryingManyNamesIsBarredAndOtherAddressesAreNot(CapturedOutput output) throws Exception {
        for (int i = 0; i < LoginThrottle.FREE_PER_ADDRESS + 1; i++) {
            assertThat(basic("guess-" + i, WRONG, "10.2.2.2").getStatus()).isEqualTo(401);
        }
        assertThat(basic("ops", "ops-pw", "10.2.2.2").getStatus()).isEqualTo(429);
        // authenticated from elsewhere: 404, as no API controller is part of this test
        assertThat(basic("ops", "ops-pw", "10.3.3.3").getStatus()).isEqualTo(404);
        assertThat(output.getAll()).contains("login failed: an unknown user name from 10.2.2.2")
                .doesNotContain("guess-1");
    }

    private MockHttpServletResponse formLogin(String user, String password, String address) throws Exception {
        return mvc.perform(post("/login").param("username", user).param("password", password).with(csrf())
                .with(request -> {
                    request.setRemoteAddr(address);
                    return request;
                })).andReturn().getResponse();
    }

    private MockHttpServletResponse basic(String user, String password, String address) throws Exception {
        return mvc.perform(get("/api/mappings").with(httpBasic(user, password)).with(request -> {
            request.setRemoteAddr(address);
            return request;
        })).andReturn().getResponse();
    }
}
