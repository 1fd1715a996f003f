package dev.pgferry.copy;

/**
 * The snapshot copy's share of the machines: as many slots as copy workers, each held by one
 * running thing, a chunk being copied or a table's index build. The copy no longer runs its
 * streams and its builds side by side on top of each other (twice the work the cores can do at
 * once, which made a long GIN build on the critical path take twice its time): a build waiting
 * for a slot goes before the next chunk, so the build that will end last starts as early as its
 * table allows and runs on a core of its own, while the copy goes on with the slots left. Once no
 * chunk is left to copy, a build may take the slots nobody wants as parallel maintenance workers.
 */
final class WorkSlots {

    private final int total;
    private int free;
    private int buildsWaiting;

    WorkSlots(int total) {
        if (total < 1) {
            throw new IllegalArgumentException("at least one slot");
        }
        this.total = total;
        this.free = total;
    }

    /** For the next chunk: waits while every slot is taken or a build waits for one. */
    synchronized void acquireForChunk() throws InterruptedException {
        while (free == 0 || buildsWaiting > 0) {
            wait();
        }
        free--;
    }

    /** For an index build: before any waiting chunk. */
    synchronized void acquireForBuild() throws InterruptedException {
        buildsWaiting++;
        try {
            while (free == 0) {
                wait();
            }
            free--;
        } finally {
            buildsWaiting--;
            // a chunk that waited behind this build may go now if slots are left
            notifyAll();
        }
    }

    /**
     * The slots free now that no other build waits for, taken as a build's parallel workers (given
     * back with {@link #release}); none unless the copy has no chunk left (the caller says).
     */
    synchronized int takeSpare(boolean noChunkLeft) {
        if (!noChunkLeft || buildsWaiting > 0) {
            return 0;
        }
        int spare = free;
        free = 0;
        return spare;
    }

    synchronized void release(int slots) {
        free = Math.min(total, free + slots);
        notifyAll();
    }

    synchronized int free() {
        return free;
    }
}
