package dev.pgferry.web.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import dev.pgferry.testing.MovableClock;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

class VerifiedPasswordsTest {

    /** The real bcrypt encoder, counting how often it is asked to check a password. */
    private static final class Counting implements PasswordEncoder {
        final PasswordEncoder bcrypt = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        final AtomicInteger checks = new AtomicInteger();

        @Override
        public String encode(CharSequence raw) {
            return bcrypt.encode(raw);
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            checks.incrementAndGet();
            return bcrypt.matches(raw, encoded);
        }
    }

    private final Counting bcrypt = new Counting();
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final VerifiedPasswords passwords = new VerifiedPasswords(bcrypt, clock);

    @Test
    void aPasswordJustVerifiedIsNotHashedAgainForAFewMinutes() {
        String stored = passwords.encode("s3cret");
        assertThat(stored).startsWith("{bcrypt}");
        for (int i = 0; i < 10; i++) {
            assertThat(passwords.matches("s3cret", stored)).isTrue();
        }
        assertThat(bcrypt.checks).as("bcrypt once for ten requests").hasValue(1);

        clock.move(VerifiedPasswords.REMEMBER_FOR);
        assertThat(passwords.matches("s3cret", stored)).isTrue();
        assertThat(bcrypt.checks).as("checked again once the time is up").hasValue(2);
    }

    @Test
    void aWrongPasswordIsNeverRememberedAndAlwaysPaysTheFullCheck() {
        String stored = passwords.encode("s3cret");
        for (int i = 0; i < 3; i++) {
            assertThat(passwords.matches("guess", stored)).isFalse();
        }
        assertThat(bcrypt.checks).hasValue(3);
        assertThat(passwords.remembered()).isZero();
    }

    @Test
    void aRememberedPasswordDoesNotMatchAnotherStoredHash() {
        String stored = passwords.encode("s3cret");
        assertThat(passwords.matches("s3cret", stored)).isTrue();
        String changed = passwords.encode("n3w-secret");
        assertThat(passwords.matches("s3cret", changed)).as("the new password's hash").isFalse();
        assertThat(passwords.matches("n3w-secret", changed)).isTrue();
    }

    @Test
    void itHoldsABoundedNumberOfEntries() {
        PasswordEncoder plain = new PasswordEncoder() {
            @Override
            public String encode(CharSequence raw) {
                return "plain:" + raw;
            }

            @Override
            public boolean matches(CharSequence raw, String encoded) {
                return encoded.equals("plain:" + raw);
            }
        };
        VerifiedPasswords many = new VerifiedPasswords(plain);
        for (int i = 0; i < VerifiedPasswords.MAX_ENTRIES * 3; i++) {
            assertThat(many.matches("p" + i, "plain:p" + i)).isTrue();
            assertThat(many.remembered()).isLessThanOrEqualTo(VerifiedPasswords.MAX_ENTRIES);
        }
        assertThat(Duration.ofMinutes(5)).isEqualTo(VerifiedPasswords.REMEMBER_FOR);
    }
}
