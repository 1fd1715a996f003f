package dev.pgferry.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Steps beside the loop: one run per database, a few per mapping, never on a stale look. */
class DatabaseStepsTest {

    private final DatabaseSteps steps = new DatabaseSteps(Clock.systemUTC());
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseRuns() throws InterruptedException {
        release.countDown();
        assertThat(steps.awaitAll(Duration.ofSeconds(10))).isTrue();
    }

    private DatabaseSteps.Work held(String second) {
        return step -> {
            try {
                release.await(10, TimeUnit.SECONDS);
                step.set(second);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void aRunCountsInTheGenerationWhenItStartsAndWhenItEnds() throws Exception {
        DatabaseSteps.Seen before = steps.seen("m", "db");
        assertThat(before.generation()).isZero();
        assertThat(before.running()).isEmpty();

        CompletableFuture<Void> done = steps.startIfUnchanged("m", "db", 0, "create database db", held("x"))
                .orElseThrow();
        DatabaseSteps.Seen during = steps.seen("m", "db");
        assertThat(during.generation()).isEqualTo(1);
        assertThat(during.running()).get().extracting(DatabaseSteps.Running::step).isEqualTo("create database db");

        release.countDown();
        done.get(10, TimeUnit.SECONDS);
        DatabaseSteps.Seen after = steps.seen("m", "db");
        assertThat(after.generation()).isEqualTo(2);
        assertThat(after.running()).isEmpty();
    }

    @Test
    void noStepsStartOnALookTakenBeforeAnotherRunStartedOrEnded() throws Exception {
        long looked = steps.seen("m", "db").generation();
        CompletableFuture<Void> first = steps.startIfUnchanged("m", "db", looked, "a", held("b")).orElseThrow();
        // looked at before the first run started: stale while it runs, and after it ended
        assertThat(steps.startIfUnchanged("m", "db", looked, "again", step -> { })).isEmpty();
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(steps.startIfUnchanged("m", "db", looked, "again", step -> { })).isEmpty();
        // a look taken after it ended may start steps
        long fresh = steps.seen("m", "db").generation();
        assertThat(steps.startIfUnchanged("m", "db", fresh, "again", step -> { })).isPresent();
    }

    @Test
    void oneRunPerDatabaseAtATime() {
        assertThat(steps.startIfUnchanged("m", "db", 0, "a", held("b"))).isPresent();
        long during = steps.seen("m", "db").generation();
        assertThat(steps.startIfUnchanged("m", "db", during, "c", step -> { })).isEmpty();
        assertThat(steps.running("m")).hasSize(1);
    }

    @Test
    void aFewDatabasesOfAMappingAtOnceAndOtherMappingsApart() {
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int i = 0; i < DatabaseSteps.PER_MAPPING; i++) {
            runs.add(steps.startIfUnchanged("m", "db" + i, 0, "a", held("b")).orElseThrow());
        }
        assertThat(steps.startIfUnchanged("m", "one-more", 0, "a", step -> { })).isEmpty();
        assertThat(steps.seen("m", "one-more").generation()).as("nothing started, nothing counted").isZero();
        assertThat(steps.startIfUnchanged("other", "db0", 0, "a", held("b"))).isPresent();
        assertThat(steps.running("m")).hasSize(DatabaseSteps.PER_MAPPING);
        assertThat(steps.running("other")).hasSize(1);
    }

    @Test
    void aPlaceIsFreeAgainWhenARunEnds() throws Exception {
        for (int i = 0; i < DatabaseSteps.PER_MAPPING; i++) {
            steps.startIfUnchanged("m", "db" + i, 0, "a", step -> { }).orElseThrow().get(10, TimeUnit.SECONDS);
        }
        assertThat(steps.startIfUnchanged("m", "one-more", 0, "a", step -> { })).isPresent();
    }

    @Test
    void aFailingRunEndsAndFreesItsPlace() throws Exception {
        CompletableFuture<Void> done = steps.startIfUnchanged("m", "db", 0, "a", step -> {
            throw new IllegalStateException("a bug");
        }).orElseThrow();
        done.get(10, TimeUnit.SECONDS);
        assertThat(steps.running("m")).isEmpty();
        assertThat(steps.seen("m", "db").generation()).isEqualTo(2);
    }

    @Test
    void operatorsWaitForAMappingsRuns() throws Exception {
        steps.startIfUnchanged("m", "db", 0, "a", held("b")).orElseThrow();
        assertThat(steps.awaitMapping("m", Duration.ofMillis(200))).as("still running").isFalse();
        assertThat(steps.awaitMapping("other", Duration.ofMillis(200))).as("nothing of its own").isTrue();
        release.countDown();
        assertThat(steps.awaitMapping("m", Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void theStepRunningNowIsShown() throws Exception {
        CountDownLatch atSecond = new CountDownLatch(1);
        steps.startIfUnchanged("m", "db", 0, "first", step -> {
            step.set("second");
            atSecond.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).orElseThrow();
        assertThat(atSecond.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(steps.seen("m", "db").running()).get().extracting(DatabaseSteps.Running::step)
                .isEqualTo("second");
    }

    @Test
    void interruptingStopsARunThatWaits() throws Exception {
        CompletableFuture<Void> done = steps.startIfUnchanged("m", "db", 0, "a", step -> {
            try {
                new CountDownLatch(1).await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                step.set("interrupted");
            }
        }).orElseThrow();
        // its thread is set when it starts running
        for (int i = 0; i < 100 && steps.seen("m", "db").running().isPresent() && !done.isDone(); i++) {
            steps.interruptAll();
            Thread.sleep(20);
        }
        done.get(10, TimeUnit.SECONDS);
        assertThat(steps.count()).isZero();
    }
}
