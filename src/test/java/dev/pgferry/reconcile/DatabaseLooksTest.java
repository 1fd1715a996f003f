package dev.pgferry.reconcile;

import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.DatabaseStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A tick's looks: bounded in time, never waited for past it, taken by the next tick. */
class DatabaseLooksTest {

    private static final Duration MAX_AGE = Duration.ofMinutes(1);
    private final DatabaseLooks looks = new DatabaseLooks(Clock.systemUTC());
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, AtomicInteger> looked = new ConcurrentHashMap<>();

    @AfterEach
    void releaseLooks() {
        release.countDown();
    }

    private DatabaseStatus status(String db, Instant at) {
        looked.computeIfAbsent(db, k -> new AtomicInteger()).incrementAndGet();
        return new DatabaseStatus(ObservedDatabase.unobserved(db, at), List.of(), Readiness.notReady("test"),
                Plan.of(Phase.PLANNED, "test"), Optional.empty());
    }

    /** Looks that take as long as the test holds them, for the databases given. */
    private Function<String, DatabaseStatus> heldFor(List<String> slow) {
        return db -> {
            if (slow.contains(db)) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return status(db, Instant.now());
        };
    }

    private Map<String, DatabaseLooks.Looked> look(List<String> dbs, Duration budget,
            Function<String, DatabaseStatus> evaluate) throws InterruptedException {
        return looks.look("m", dbs, Instant.now().plus(budget), MAX_AGE, db -> 7L, evaluate);
    }

    @Test
    void afterAnOperatorsActionNoEarlierLookIsTakenFinishedOrRunning() throws Exception {
        // a look left running by a tick (held up by a lock, say) ends after the action changed things
        look(List.of("slow"), Duration.ofMillis(200), heldFor(List.of("slow")));
        assertThat(looks.going("m", "slow")).isTrue();
        Instant action = Instant.now();
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !looks.going("m", "slow"));
        // a plain tick would take that finished look; the one after the action looks again
        Map<String, DatabaseLooks.Looked> fresh = looks.look("m", List.of("slow"), Instant.now().plusSeconds(5),
                MAX_AGE, db -> 7L, heldFor(List.of()), true);
        assertThat(fresh).containsOnlyKeys("slow");
        assertThat(fresh.get("slow").status().observed().observedAt()).isAfter(action);
        assertThat(looked.get("slow").get()).isEqualTo(2);
    }

    @Test
    void quickLooksAreTakenWithTheGenerationBeforeThem() throws Exception {
        Map<String, DatabaseLooks.Looked> result = look(List.of("a", "b"), Duration.ofSeconds(10), heldFor(List.of()));
        assertThat(result).containsOnlyKeys("a", "b");
        assertThat(result.get("a").generation()).isEqualTo(7L);
    }

    @Test
    void aSlowLookIsNotWaitedForAndTheNextTickTakesIt() throws Exception {
        Map<String, DatabaseLooks.Looked> first = look(List.of("slow", "quick"), Duration.ofMillis(300),
                heldFor(List.of("slow")));
        assertThat(first).containsOnlyKeys("quick");
        assertThat(looks.going("m", "slow")).isTrue();

        // still running: not begun again
        Map<String, DatabaseLooks.Looked> second = look(List.of("slow"), Duration.ofMillis(100),
                heldFor(List.of("slow")));
        assertThat(second).isEmpty();

        release.countDown();
        awaitLookEnded("slow");
        Map<String, DatabaseLooks.Looked> third = look(List.of("slow"), Duration.ofSeconds(10), heldFor(List.of()));
        assertThat(third).containsOnlyKeys("slow");
        assertThat(looked.get("slow").get()).as("looked at once, taken by the next tick").isEqualTo(1);
        assertThat(looks.going("m", "slow")).isFalse();
    }

    @Test
    void aLateLookOlderThanTheMaximumAgeIsLookedAtAgain() throws Exception {
        look(List.of("slow"), Duration.ofMillis(100), db -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return status(db, Instant.now().minus(Duration.ofMinutes(5)));
        });
        release.countDown();
        awaitLookEnded("slow");
        Map<String, DatabaseLooks.Looked> again = look(List.of("slow"), Duration.ofSeconds(10), heldFor(List.of()));
        assertThat(again).containsOnlyKeys("slow");
        assertThat(looked.get("slow").get()).as("looked at again").isEqualTo(2);
    }

    @Test
    void aFewLooksOfAMappingAtOnceAndTheRestNotBegunAfterTheBudget() throws Exception {
        List<String> slow = List.of("s1", "s2", "s3", "s4");
        Map<String, DatabaseLooks.Looked> first = look(slow, Duration.ofMillis(300), heldFor(slow));
        assertThat(first).as("every place held by a slow look").isEmpty();
        assertThat(slow).allSatisfy(db -> assertThat(looks.going("m", db)).isTrue());
        // the next tick's looks of other databases find no place while those run (the places are the
        // mapping's, whichever tick took them; within one tick the threads may start in any order)
        Map<String, DatabaseLooks.Looked> second = look(List.of("q1", "q2"), Duration.ofMillis(300), heldFor(slow));
        assertThat(second).as("no place left").isEmpty();
        assertThat(looked).as("the quick ones never began").doesNotContainKeys("q1", "q2");
        assertThat(looks.going("m", "q1")).isFalse();
    }

    private void awaitLookEnded(String db) throws InterruptedException {
        for (int i = 0; i < 500 && looks.going("m", db); i++) {
            Thread.sleep(10);
        }
    }
}
