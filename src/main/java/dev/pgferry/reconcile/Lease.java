package dev.pgferry.reconcile;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32;

/**
 * Whether this pgferry holds a mapping's lease, and so may act on it. Only the holder acts; any
 * other pgferry on the same mapping observes and plans, and says who holds it. {@code holder}
 * names this process when held, the other one when passive, and is null when nobody can be
 * told (the destination is unreachable, {@code problem} says why: then nobody acts).
 */
public record Lease(boolean held, String holder, Instant since, String problem) {

    /** The first key of pgferry's advisory locks ("pgfr"), so they stand apart from others'. */
    static final int LOCK_CLASS = 0x70676672;
    static final String APPLICATION_PREFIX = "pgferry lease ";

    public static Lease held(String self, Instant since) {
        return new Lease(true, self, since, null);
    }

    public static Lease passive(String holder, Instant since) {
        return new Lease(false, holder, since, null);
    }

    public static Lease unknown(String problem) {
        return new Lease(false, null, null, problem);
    }

    /** Before the first tick, and for pages before any lease was asked for. */
    public static Lease notYet() {
        return new Lease(false, null, null, "not asked for yet");
    }

    /** The lock's second key: a stable hash of the mapping's name (the first is {@link #LOCK_CLASS}). */
    static int lockKey(String mapping) {
        CRC32 crc = new CRC32();
        crc.update(mapping.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() & 0x7fffffff);
    }

    /** The application_name of a lease session, which tells another pgferry who holds it (at most 63 bytes). */
    static String applicationName(String self) {
        String name = APPLICATION_PREFIX + self;
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 63 ? name : new String(bytes, 0, 63, StandardCharsets.UTF_8).replace("\uFFFD", "");
    }

    /** Who holds a lease, from its session's application_name (another client's name is shown as it is). */
    static String holderOf(String applicationName, int pid) {
        if (applicationName != null && applicationName.startsWith(APPLICATION_PREFIX)) {
            return applicationName.substring(APPLICATION_PREFIX.length());
        }
        return "a session (pid " + pid + (applicationName == null || applicationName.isEmpty() ? ""
                : ", application " + applicationName) + ")";
    }

    /** The sentence pages and refusals show when this pgferry does not act on the mapping. */
    public String passiveReason() {
        if (held) {
            return null;
        }
        if (holder == null) {
            return "this pgferry does not act on the mapping: its lease on the destination cannot be taken ("
                    + problem + ")";
        }
        return "passive: another pgferry (" + holder + ") holds this mapping's lease" + (since == null ? ""
                : " since " + since) + "; this one only observes";
    }
}
