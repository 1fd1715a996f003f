package dev.pgferry.replication;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The one name pgferry gives the publication, the replication slot and the subscription of a
 * database migration: {@code pgferry_<mapping>_<database>}. Slot names allow only a-z, 0-9 and
 * _, and every name must fit in 63 bytes, so anything else (capitals, spaces, quotes, unicode)
 * or an over-long name gets a short hash of the original names: deterministic and unique.
 */
public record ReplicationNames(String name) {

    static final int MAX_BYTES = 63;
    private static final String PREFIX = "pgferry_";

    public static ReplicationNames of(String mapping, String database) {
        String plain = PREFIX + sanitize(mapping) + "_" + sanitize(database);
        boolean exact = plain.equals(PREFIX + mapping + "_" + database) && plain.length() <= MAX_BYTES;
        if (exact) {
            return new ReplicationNames(plain);
        }
        String hash = "_" + hash(mapping + "\u0000" + database);
        String base = plain.length() > MAX_BYTES - hash.length() ? plain.substring(0, MAX_BYTES - hash.length()) : plain;
        return new ReplicationNames(base + hash);
    }

    /**
     * The names of the reverse direction (after the switch, the destination's changes flow back):
     * the publication and slot on the destination, the subscription in the source database.
     * Always with a hash of the names, so never equal to a forward name; deterministic.
     */
    public static ReplicationNames reverse(String mapping, String database) {
        return of(mapping, database + "\u0000reverse");
    }

    /**
     * The name of a database's DDL capture on the source (DDL_CAPTURE): its schema and its event
     * trigger. Always hashed, so never a forward or reverse name; every name of this form matches
     * {@link dev.pgferry.pg.CaptureObjects#REGEX}, by which pgferry's catalog queries and dumps leave them out.
     */
    public static ReplicationNames ddlCapture(String mapping, String database) {
        String suffix = "_ddl_" + hash(mapping + "\u0000" + database + "\u0000ddl");
        String plain = PREFIX + sanitize(mapping) + "_" + sanitize(database);
        return new ReplicationNames((plain.length() > MAX_BYTES - suffix.length()
                ? plain.substring(0, MAX_BYTES - suffix.length()) : plain) + suffix);
    }

    public String publication() {
        return name;
    }

    public String slot() {
        return name;
    }

    public String subscription() {
        return name;
    }

    private static String sanitize(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
