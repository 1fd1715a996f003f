package dev.pgferry.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WorkSlotsTest {

    @Test
    void aWaitingBuildGoesBeforeTheNextChunk() throws Exception {
        WorkSlots slots = new WorkSlots(1);
        slots.acquireForChunk();
        AtomicBoolean chunkGotIt = new AtomicBoolean();
        AtomicBoolean buildGotIt = new AtomicBoolean();
        Thread chunk = waitingFor(() -> {
            slots.acquireForChunk();
            chunkGotIt.set(true);
        });
        Thread build = waitingFor(() -> {
            slots.acquireForBuild();
            buildGotIt.set(true);
        });

        slots.release(1);
        build.join(5_000);
        assertThat(buildGotIt).as("the build, which came second, goes first").isTrue();
        // woken by the build's release, the chunk looks again and goes back to waiting: no slot for it
        await().atMost(Duration.ofSeconds(5)).until(() -> chunk.getState() == Thread.State.WAITING);
        assertThat(chunkGotIt).isFalse();

        slots.release(1);
        chunk.join(5_000);
        assertThat(chunkGotIt).as("the chunk once the build gave its slot back").isTrue();
        assertThat(slots.free()).isZero();
    }

    @Test
    void aChunkTakesAFreeSlotWhenNoBuildWaits() throws Exception {
        WorkSlots slots = new WorkSlots(2);
        slots.acquireForBuild();
        slots.acquireForChunk();
        assertThat(slots.free()).isZero();
        slots.release(2);
        assertThat(slots.free()).isEqualTo(2);
    }

    @Test
    void aBuildTakesTheIdleSlotsAsParallelWorkersOnlyOnceNoChunkIsLeft() throws Exception {
        WorkSlots slots = new WorkSlots(4);
        slots.acquireForBuild();
        assertThat(slots.takeSpare(false)).as("chunks still to copy need the slots").isZero();
        slots.acquireForChunk();
        assertThat(slots.takeSpare(true)).as("the two slots nobody holds").isEqualTo(2);
        assertThat(slots.free()).isZero();
        slots.release(1 + 2);
        assertThat(slots.free()).isEqualTo(3);
        slots.release(1);
        assertThat(slots.free()).as("never more than there are").isEqualTo(4);
        slots.release(1);
        assertThat(slots.free()).isEqualTo(4);
    }

    @Test
    void noSpareSlotsWhileAnotherBuildWaitsForOne() throws Exception {
        WorkSlots slots = new WorkSlots(1);
        slots.acquireForBuild();
        Thread waiting = waitingFor(slots::acquireForBuild);
        slots.release(1);
        waiting.join(5_000);
        assertThat(slots.takeSpare(true)).isZero();
    }

    @Test
    void atLeastOneSlot() {
        assertThatThrownBy(() -> new WorkSlots(0)).isInstanceOf(IllegalArgumentException.class);
    }

    interface Acquiring {
        void run() throws InterruptedException;
    }

    /** A thread that acquires, once it waits for its slot. */
    private static Thread waitingFor(Acquiring acquiring) {
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                acquiring.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> thread.getState() == Thread.State.WAITING);
        return thread;
    }
}
