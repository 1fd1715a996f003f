package dev.pgferry.web.login;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A password encoder that remembers, for a few minutes, the passwords it has just verified. HTTP
 * Basic checks the password on every request, and a bcrypt check costs tens of milliseconds of
 * CPU by design: a script polling the API every 200 ms kept a third of a core busy hashing, beside
 * the copy it was watching (bench/copy.sh). A password that matched is remembered as an HMAC of it
 * and its stored hash under a key made at start-up and never kept anywhere else, so neither the
 * password nor anything that helps to guess it is held; a password that did not match is never
 * remembered (every wrong guess still pays the full bcrypt and the login throttle). A changed
 * stored hash (a new password) is a new entry: the old one cannot match it.
 */
public final class VerifiedPasswords implements PasswordEncoder {

    static final Duration REMEMBER_FOR = Duration.ofMinutes(5);
    static final int MAX_ENTRIES = 256;

    private final PasswordEncoder delegate;
    private final Clock clock;
    private final byte[] key = new byte[32];
    private final Map<String, Instant> verified = new ConcurrentHashMap<>();

    public VerifiedPasswords(PasswordEncoder delegate) {
        this(delegate, Clock.systemUTC());
    }

    VerifiedPasswords(PasswordEncoder delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
        new SecureRandom().nextBytes(key);
    }

    @Override
    public String encode(CharSequence rawPassword) {
        return delegate.encode(rawPassword);
    }

    @Override
    public boolean matches(CharSequence rawPassword, String encodedPassword) {
        if (rawPassword == null || encodedPassword == null) {
            return delegate.matches(rawPassword, encodedPassword);
        }
        String entry = fingerprint(rawPassword, encodedPassword);
        Instant now = clock.instant();
        Instant until = verified.get(entry);
        if (until != null && now.isBefore(until)) {
            return true;
        }
        boolean matches = delegate.matches(rawPassword, encodedPassword);
        if (matches) {
            if (verified.size() >= MAX_ENTRIES) {
                verified.values().removeIf(t -> !now.isBefore(t));
                if (verified.size() >= MAX_ENTRIES) {
                    verified.clear();
                }
            }
            verified.put(entry, now.plus(REMEMBER_FOR));
        }
        return matches;
    }

    @Override
    public boolean upgradeEncoding(String encodedPassword) {
        return delegate.upgradeEncoding(encodedPassword);
    }

    int remembered() {
        return verified.size();
    }

    private String fingerprint(CharSequence rawPassword, String encodedPassword) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(encodedPassword.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(rawPassword.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
