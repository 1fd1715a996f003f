package dev.pgferry.faults;

import dev.pgferry.reports.DatabaseKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Fault injection for the race tests, in the test's own JVM: a test arms a point for one
 * database, the next tick that reaches it there waits until the test releases it, so the world
 * can change between what the tick saw and what it does (a copy finishing, say) at a chosen
 * moment instead of a lucky one. Unarmed (always in production) every call is one lookup in an
 * empty map.
 *
 * <p>Points: {@code observed}, in a tick right after the catalogs of the database were read,
 * before anything is checked or planned on them; {@code before:<action>} (the simple name of a
 * reconcile action, e.g. {@code before:CopySchema}), right before the action runs, after the
 * tick's earlier steps ran.
 */
public final class TickPauses {

    /** How long a held tick waits at most, so a test that forgets to release never hangs the loop. */
    private static final Duration LONGEST = Duration.ofMinutes(5);
    private static final Map<Armed, Pause> ARMED = new ConcurrentHashMap<>();

    private TickPauses() {
    }

    /** A tick held at a point: the test waits for it to arrive, then lets it go on. */
    public static final class Pause {
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Waits until a tick is held here; false when none came in time. */
        public boolean awaitHeld(Duration atMost) throws InterruptedException {
            return arrived.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void release() {
            released.countDown();
        }
    }

    /** Holds the next tick that reaches the point for that mapping and database. */
    public static Pause arm(String point, String mapping, String database) {
        Pause pause = new Pause();
        ARMED.put(key(point, mapping, database), pause);
        return pause;
    }

    public static void reached(String point, String mapping, String database) {
        if (ARMED.isEmpty()) {
            return;
        }
        Pause pause = ARMED.remove(key(point, mapping, database));
        if (pause == null) {
            return;
        }
        pause.arrived.countDown();
        try {
            pause.released.await(LONGEST.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Armed key(String point, String mapping, String database) {
        return new Armed(point, DatabaseKey.of(mapping, database));
    }

    private record Armed(String point, DatabaseKey database) {
    }
}
