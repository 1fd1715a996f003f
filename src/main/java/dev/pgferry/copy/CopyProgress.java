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
public final class CopyProgress {

    /** Where a snapshot copy stands. */
    public enum Stage {
        STARTING("creating the replication slot and its snapshot"),
        SCHEMA("restoring the schema without indexes (pre-data)"),
        COPYING("copying tables in parallel, building each table's indexes once its rows are in"),
        FINISHING("restoring foreign keys, triggers and the rest of the schema (post-data)"),
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
    private volatile Stage stage = Stage.STARTING;
    /** When each stage began, for the profile of where a copy's time went. */
    private final Map<Stage, Instant> stageStarts = Collections.synchronizedMap(new java.util.EnumMap<>(Stage.class));
    private volatile Instant finishedAt;
    private volatile String error;

    public CopyProgress(Instant startedAt, int workers) {
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
        Stage previous = Stage.STARTING;
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
        tables.get(table).bytesDone.addAndGet(bytes);
    }

    /** A chunk is in; true when it was the table's last. */
    boolean chunkDone(long table, long rows) {
        Table t = tables.get(table);
        t.rowsDone.addAndGet(rows);
        return t.chunksDone.incrementAndGet() == t.chunks;
    }

    void indexed(long table) {
        tables.get(table).indexed = true;
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
