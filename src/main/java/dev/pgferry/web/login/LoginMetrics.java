package dev.pgferry.web.login;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * pgferry_login_failures_total (wrong user name or password, HTTP Basic and the login form alike)
 * and pgferry_login_throttled_total (attempts refused with 429 before their password was checked).
 */
@Component
public class LoginMetrics {

    private final Counter failures;
    private final Counter throttled;

    public LoginMetrics(MeterRegistry registry) {
        this.failures = Counter.builder("pgferry.login.failures")
                .description("failed logins: a wrong user name or password").register(registry);
        this.throttled = Counter.builder("pgferry.login.throttled")
                .description("login attempts refused with 429 because the user name or address had failed too often")
                .register(registry);
    }

    void failed() {
        failures.increment();
    }

    void throttled() {
        throttled.increment();
    }
}
