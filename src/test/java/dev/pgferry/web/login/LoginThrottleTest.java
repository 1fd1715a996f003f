package dev.pgferry.web.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    @Test
    void noDelayWithinTheAllowanceThenOneSecondDoublingUpToTheLongest() {
        assertThat(LoginThrottle.delay(5, 5)).isEqualTo(Duration.ZERO);
        assertThat(LoginThrottle.delay(6, 5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(LoginThrottle.delay(7, 5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(LoginThrottle.delay(14, 5)).isEqualTo(Duration.ofSeconds(256));
        assertThat(LoginThrottle.delay(16, 5)).isEqualTo(LoginThrottle.LONGEST);
        assertThat(LoginThrottle.delay(Integer.MAX_VALUE, 5)).isEqualTo(LoginThrottle.LONGEST);
    }
}
