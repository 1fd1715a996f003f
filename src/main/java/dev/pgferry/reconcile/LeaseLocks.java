package dev.pgferry.reconcile;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** How a mapping's lease is held on the destination: the advisory lock's keys, the session's name. */
final class LeaseLocks {

    /** The first key of pgferry's advisory locks ("pgfr"), so they stand apart from others'. */
    static final int LOCK_CLASS = 0x70676672;
    static final String APPLICATION_PREFIX = "pgferry lease ";

    private LeaseLocks() {
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
}
