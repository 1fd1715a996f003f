package dev.pgferry.replication;

import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ConnInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Whether a subscription still connects with what the source instance's configuration says now:
 * its password (a rotated Secret file, a password command returning a new one or a fresh IAM
 * token) and its replication address. A walsender that is already connected keeps working with
 * an old password; the next reconnect would fail, so pgferry updates the connection first.
 *
 * <p>pgferry remembers a salted digest of the connection string it last set or saw, in memory
 * only (the salt is random per process, so nothing that could be brute-forced is stored or
 * shown), and asks nothing of the servers while the configuration gives the same one. When it
 * gives another, or after a restart, pgferry reads the SHA-256 of {@code pg_subscription.subconninfo}
 * where its user may read that column (a superuser) and compares it here: nothing derived from the
 * password is sent to the server, where a logged statement or parameter could show it. Otherwise
 * the subscription gets its connection set once.
 */
@Component
public class SubscriptionConnections {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionConnections.class);
    static final String CAN_READ = "SELECT has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', "
            + "'SELECT')";
    static final String DIGEST = "SELECT sha256(convert_to(subconninfo, 'UTF8')) FROM pg_subscription WHERE oid = ?";

    private final byte[] salt = new byte[32];
    private final Map<Key, byte[]> lastSet = new ConcurrentHashMap<>();
    private final Map<Key, Instant> updatedAt = new ConcurrentHashMap<>();

    public SubscriptionConnections() {
        new SecureRandom().nextBytes(salt);
    }

    /**
     * Whether the subscription (its OID, seen through {@code destination}, a session on its
     * database) connects as the configuration says now. True when that cannot be told (a password
     * that cannot be read now is shown elsewhere; an update would fail the same way).
     */
    public boolean current(Mapping mapping, String database, String subscription, long oid, JdbcClient destination) {
        String conninfo;
        try {
            conninfo = ConnInfo.forSubscription(mapping.source(), database);
        } catch (RuntimeException e) {
            log.debug("mapping {} database {}: source password not readable now: {}", mapping.name(), database,
                    e.getMessage());
            return true;
        }
        Key key = key(mapping, database, subscription);
        byte[] now = digest(conninfo);
        byte[] known = lastSet.get(key);
        if (known != null && MessageDigest.isEqual(known, now)) {
            return true; // what pgferry set or saw there last: no question to the server
        }
        if (Boolean.TRUE.equals(destination.sql(CAN_READ).query(Boolean.class).single())
                && destination.sql(DIGEST).param(oid).query(byte[].class).optional()
                        .map(there -> MessageDigest.isEqual(there, sha256(new byte[0], conninfo))).orElse(false)) {
            lastSet.put(key, now);
            return true;
        }
        return false;
    }

    /** Remembers what pgferry set as the subscription's connection (on creation or update). */
    public void set(Mapping mapping, String database, String subscription, String conninfo) {
        lastSet.put(key(mapping, database, subscription), digest(conninfo));
    }

    /** Remembers that pgferry gave an existing subscription a new connection, and when. */
    public void updated(Mapping mapping, String database, String subscription, String conninfo, Instant at) {
        set(mapping, database, subscription, conninfo);
        updatedAt.put(key(mapping, database, subscription), at);
    }

    /** When this process last gave the subscription a new connection, if it did. */
    public Optional<Instant> updatedAt(Mapping mapping, String database, String subscription) {
        return Optional.ofNullable(updatedAt.get(key(mapping, database, subscription)));
    }


    private static Key key(Mapping mapping, String database, String subscription) {
        return new Key(mapping.destination().name(), database, subscription);
    }

    /** A subscription of a destination instance. */
    private record Key(String destination, String database, String subscription) {
    }

    /** The salted digest this process remembers: nothing that could be brute-forced is kept. */
    private byte[] digest(String conninfo) {
        return sha256(salt, conninfo);
    }

    /** SHA-256 of the salt followed by the connection string; with no salt, as the server computes it. */
    private static byte[] sha256(byte[] salt, String conninfo) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            byte[] text = conninfo.getBytes(StandardCharsets.UTF_8);
            byte[] digest = sha.digest(text);
            Arrays.fill(text, (byte) 0);
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
