package dev.pgferry.faults;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Fault injection for the crash tests. Started with {@code -Dpgferry.crash-after=<point>[,...]},
 * pgferry halts the JVM the moment it passes a named point: no shutdown hook, no graceful stop,
 * open connections dropped, exactly as SIGKILL or an evicted pod leaves things, but at a chosen
 * step rather than at a moment a test has to catch. Without the property (always in production)
 * every call is a set lookup on an empty set.
 *
 * <p>Points: the simple name of each reconcile action, passed right after it ran
 * ({@code CreateRoles}, {@code CopySchema}, {@code CreateSubscription}, {@code DropSubscription},
 * ...), and the snapshot copy's {@code copy:SCHEMA} (slot created, schema copy starting),
 * {@code copy:indexed} (the first table's indexes built while others copy or build) and
 * {@code copy:SUBSCRIBING} (everything copied, the subscription not yet created; a resume passes
 * it too), {@code copy:recorded} (a batch of the copy's table records written, one of them a
 * table's indexes), and a resumed copy's {@code resume:TRUNCATED} (the unfinished tables
 * emptied, missing indexes built), {@code resume:SUBSCRIBED} (subscribed on the slot for the kept
 * tables only) and {@code resume:REFRESHED} (the others given to table synchronization).
 */
public final class CrashPoints {

    /** The exit status of a halt at a crash point, told apart from any other exit by the tests. */
    public static final int EXIT_STATUS = 86;

    private static final Set<String> ARMED = Arrays.stream(System.getProperty("pgferry.crash-after", "").split(","))
            .map(String::strip).filter(p -> !p.isEmpty()).collect(Collectors.toUnmodifiableSet());

    private CrashPoints() {
    }

    public static void passed(String point) {
        if (ARMED.contains(point)) {
            System.err.println("pgferry: crash point " + point + " reached: halting (-Dpgferry.crash-after)");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
