package dev.pgferry.copy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A snapshot copy's progress, written by its workers and read by the pages (thread-safe). */
public final class SnapshotProgress {

    /** Where a snapshot copy stands. */
    public enum Stage {
        QUEUED("waiting for its turn: copies of other databases from the same source run (COPY_WORKERS at a time)"),
        STARTING("creating the replication slot and its snapshot"),
        SCHEMA("restoring the schema without indexes (pre-data)"),
        COPYING("copying tables in parallel, building each table's indexes once its rows are in"),
        RESUMING("resuming the interrupted copy: keeping the tables it finished, emptying the others for table "
                + "synchronization, building missing indexes"),
        FINISHING("copying the large objects, restoring foreign keys, triggers and the rest of the schema (post-data)"),
        SUBSCRIBING("creating the subscription on the slot"),
        DONE("copied; streaming from the slot"),
        FAILED("failed");

        private final String description;

        Stage(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** One table's figures, as read at one moment. */
    public record TableState(String schema, String name, long bytesTotal, long bytesDone, long rowsDone,
            boolean copied, boolean indexed) {
    }

    /** The whole copy as read at one moment. */
    public record State(Stage stage, Instant startedAt, Instant finishedAt, String error, List<TableState> tables,
            int workers) {

        public boolean running() {
            return stage != Stage.DONE && stage != Stage.FAILED;
        }

        public long bytesTotal() {
            return tables.stream().mapToLong(TableState::bytesTotal).sum();
        }

        public long bytesDone() {
            return tables.stream().mapToLong(TableState::bytesDone).sum();
        }

        public long tablesCopied() {
            return tables.stream().filter(TableState::copied).count();
        }

        public long tablesIndexed() {
            return tables.stream().filter(TableState::indexed).count();
        }

        public String describe() {
            return "snapshot copy: " + stage.description() + (tables.isEmpty() ? "" : "; " + tablesCopied() + " of "
                    + tables.size() + " tables copied, " + tablesIndexed() + " indexed")
                    + (error == null ? "" : ": " + error);
        }
    }

    private final class Table {
        final String schema;
        final String name;
        final long bytesTotal;
        final int chunks;
        final AtomicLong bytesDone = new AtomicLong();
        final AtomicLong rowsDone = new AtomicLong();
        final AtomicInteger chunksDone = new AtomicInteger();
        volatile boolean indexed;
        volatile Instant firstBytes;
        volatile Instant copiedAt;
        volatile Instant indexedAt;

        Table(TableToCopy table, int chunks) {
            this.schema = table.schema();
            this.name = table.name();
            this.bytesTotal = table.bytes();
            this.chunks = chunks;
        }
    }

    private final Instant startedAt;
    private final int workers;
    private final Map<Long, Table> tables = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile Stage stage = Stage.QUEUED;
    /** When each stage began, for the profile of where a copy's time went. */
    private final Map<Stage, Instant> stageStarts = Collections.synchronizedMap(new java.util.EnumMap<>(Stage.class));
    private volatile Instant finishedAt;
    private volatile String error;

    public SnapshotProgress(Instant startedAt, int workers) {
        this.startedAt = startedAt;
        this.workers = workers;
    }

    void stage(Stage stage) {
        this.stage = stage;
        stageStarts.put(stage, Instant.now());
    }

    /** Seconds spent in each stage so far, in order (the running one up to now). */
    public Map<Stage, Double> profile() {
        Map<Stage, Double> seconds = new LinkedHashMap<>();
        Instant previousStart = startedAt;
        Stage previous = Stage.QUEUED;
        synchronized (stageStarts) {
            for (var e : stageStarts.entrySet()) {
                seconds.put(previous, java.time.Duration.between(previousStart, e.getValue()).toMillis() / 1000.0);
                previous = e.getKey();
                previousStart = e.getValue();
            }
        }
        if (previous != Stage.DONE && previous != Stage.FAILED) {
            Instant end = finishedAt != null ? finishedAt : Instant.now();
            seconds.put(previous, java.time.Duration.between(previousStart, end).toMillis() / 1000.0);
        }
        return seconds;
    }

    void planned(List<CopyChunks.Chunk> chunks) {
        for (CopyChunks.Chunk chunk : chunks) {
            tables.computeIfAbsent(chunk.table().oid(), oid -> new Table(chunk.table(), chunk.of()));
        }
    }

    void copied(long table, long bytes) {
        Table t = tables.get(table);
        if (t.firstBytes == null) {
            t.firstBytes = Instant.now();
        }
        t.bytesDone.addAndGet(bytes);
    }

    /** A chunk is in; true when it was the table's last. */
    boolean chunkDone(long table, long rows) {
        Table t = tables.get(table);
        t.rowsDone.addAndGet(rows);
        boolean last = t.chunksDone.incrementAndGet() == t.chunks;
        if (last) {
            t.copiedAt = Instant.now();
        }
        return last;
    }

    /** The rows copied into the table so far. */
    long rows(long table) {
        return tables.get(table).rowsDone.get();
    }

    void indexed(long table) {
        Table t = tables.get(table);
        t.indexedAt = Instant.now();
        t.indexed = true;
    }

    /** Per table, seconds from the copy's start: copy began, copy ended, indexes built (for the logs). */
    public String tableProfile() {
        StringBuilder text = new StringBuilder();
        synchronized (tables) {
            for (Table t : tables.values()) {
                text.append(t.name).append(' ').append(at(t.firstBytes)).append('-').append(at(t.copiedAt))
                        .append(" indexed ").append(at(t.indexedAt)).append("; ");
            }
        }
        return text.toString();
    }

    private String at(Instant instant) {
        return instant == null ? "?" : String.format(java.util.Locale.ROOT, "%.1f",
                java.time.Duration.between(startedAt, instant).toMillis() / 1000.0);
    }

    void finished(Instant at, String failure) {
        this.error = failure;
        this.finishedAt = at;
        stage(failure == null ? Stage.DONE : Stage.FAILED);
    }

    public State state() {
        List<TableState> list = new ArrayList<>();
        synchronized (tables) {
            for (Table t : tables.values()) {
                boolean copied = t.chunksDone.get() == t.chunks;
                list.add(new TableState(t.schema, t.name, t.bytesTotal, copied ? Math.max(t.bytesDone.get(),
                        t.bytesTotal) : Math.min(t.bytesDone.get(), t.bytesTotal), t.rowsDone.get(), copied, t.indexed));
            }
        }
        return new State(stage, startedAt, finishedAt, error, list, workers);
    }
}
