package dev.pgferry.web.login;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Slows password guessing down: failed logins are counted per user name and per client address;
 * past a free allowance each further failure bars that name or address for a delay that doubles
 * with every failure, up to {@link #LONGEST}. A barred attempt is refused before its password is
 * checked (no bcrypt work, not counted), so a guesser gets one try per delay at most. A success
 * clears the user's count, never the address's (a guesser with one valid account could otherwise
 * wipe the address's record). The counts live in two bounded caches that forget a name or an
 * address {@link #FORGET_AFTER} after its last failure: a flood of made-up names evicts old
 * entries instead of growing the heap.
 */
@Component
public class LoginThrottle {

    /** Failures a user name may have before each further one bars it. */
    public static final int FREE_PER_USER = 5;
    /**
     * Failures an address may have: more than a user's, since people behind one proxy share it;
     * it catches one address trying many names.
     */
    public static final int FREE_PER_ADDRESS = 20;
    public static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    public static final Duration LONGEST = Duration.ofMinutes(15);
    public static final Duration FORGET_AFTER = Duration.ofHours(1);
    public static final int MOST_REMEMBERED = 10_000;

    /** A run of failures and until when they bar further attempts. */
    record Failures(int count, Instant barredUntil) {
    }

    private final Clock clock;
    private final Cache<String, Failures> users;
    private final Cache<String, Failures> addresses;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
        this.users = cache(clock);
        this.addresses = cache(clock);
    }

    private static Cache<String, Failures> cache(Clock clock) {
        return Caffeine.newBuilder().maximumSize(MOST_REMEMBERED).expireAfterWrite(FORGET_AFTER)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    }

    /** How long the user name or the address is still barred (the longer of the two), if at all. */
    public Optional<Duration> barred(String user, String address) {
        Instant now = clock.instant();
        Instant until = later(barredUntil(users, user), barredUntil(addresses, address));
        return until != null && until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
    }

    /** Counts a failed login; returns the user name's run of failures so far. */
    public int failed(String user, String address) {
        Instant now = clock.instant();
        count(addresses, address, FREE_PER_ADDRESS, now);
        return count(users, user, FREE_PER_USER, now).count();
    }

    private static Failures count(Cache<String, Failures> cache, String key, int free, Instant now) {
        return cache.asMap().compute(key(key), (k, before) -> {
            int count = before == null ? 1 : before.count() + 1;
            return new Failures(count, now.plus(delay(count, free)));
        });
    }

    /** A successful login clears the user name's failures. */
    public void succeeded(String user) {
        users.invalidate(key(user));
    }

    /**
     * The bar after the {@code failures}-th failure in a row: none within the allowance, then
     * {@link #FIRST_DELAY} doubling with each failure, at most {@link #LONGEST}.
     */
    static Duration delay(int failures, int free) {
        if (failures <= free) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - free - 1, 30);
        Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
        return delay.compareTo(LONGEST) > 0 ? LONGEST : delay;
    }

    private static Instant barredUntil(Cache<String, Failures> cache, String key) {
        Failures failures = cache.getIfPresent(key(key));
        return failures == null ? null : failures.barredUntil();
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static String key(String value) {
        return value == null ? "" : value;
    }
}
