package dev.pgferry.copy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pure: the order and the ranges of the snapshot copy. Tables whose indexes will take longest
 * to build go first, so their builds overlap the copy of the rest (the schedule matters more than
 * the raw copy speed); a table larger than the chunk size is split into ranges of pages (by ctid)
 * so that every copy stream stays busy. The last range of a table is open-ended. Ranges only pay
 * when two or more of them run at once: a costly build (GIN, GiST) holds one of the copy's slots
 * for most of the copy ({@link WorkSlots}), and when that leaves one stream, tables are copied
 * whole, each emptied and loaded in one transaction with COPY FREEZE (its index builds then do not
 * rewrite every page to set hint bits).
 */
public final class CopyChunks {

    static final long MIN_CHUNK_BYTES = 16L * 1024 * 1024;
    static final long MAX_CHUNK_BYTES = 1024L * 1024 * 1024;

    private CopyChunks() {
    }

    /** One COPY: a whole table ({@code fromPage} 0, {@code toPage} -1) or a range of its pages. */
    public record Chunk(TableToCopy table, long fromPage, long toPage, int index, int of) {

        public boolean whole() {
            return of == 1;
        }

        /** The source query's WHERE clause for this range; empty for a whole table. */
        public String where() {
            if (whole()) {
                return "";
            }
            String from = "ctid >= '(" + fromPage + ",0)'::tid";
            return " WHERE " + (toPage < 0 ? from : from + " AND ctid < '(" + toPage + ",0)'::tid");
        }
    }

    /** Chunks of about total / (workers x 4) bytes, between 16 MB and 1 GB. */
    public static long chunkBytes(List<TableToCopy> tables, int workers) {
        long total = tables.stream().mapToLong(TableToCopy::bytes).sum();
        return Math.clamp(total / Math.max(1, workers * 4L), MIN_CHUNK_BYTES, MAX_CHUNK_BYTES);
    }

    /**
     * The copy streams left beside the costly builds: the workers less one per table whose costly
     * indexes will take longer to build than a chunk to copy (at least one stream).
     */
    static int copyStreams(List<TableToCopy> tables, int workers) {
        long chunk = chunkBytes(tables, workers);
        long longBuilds = tables.stream().filter(t -> longBuild(t, chunk)).count();
        return (int) Math.max(1, workers - Math.min(longBuilds, workers - 1L));
    }

    private static boolean longBuild(TableToCopy table, long chunkBytes) {
        return table.costlyIndexes() && table.indexCost() >= chunkBytes;
    }

    public static List<Chunk> of(List<TableToCopy> tables, int workers) {
        int streams = copyStreams(tables, workers);
        long chunkBytes = streams == 1 ? Long.MAX_VALUE : chunkBytes(tables, streams);
        List<TableToCopy> ordered = new ArrayList<>(tables);
        ordered.sort(Comparator.comparingLong(TableToCopy::indexCost).reversed()
                .thenComparing(Comparator.comparingLong(TableToCopy::bytes).reversed())
                .thenComparing(TableToCopy::schema).thenComparing(TableToCopy::name));
        List<Chunk> chunks = new ArrayList<>();
        for (TableToCopy table : ordered) {
            // one stream: every table whole (a range gains nothing and loses COPY FREEZE)
            long pieces = streams == 1 ? 1 : Math.min(Math.max(1, table.pages()),
                    Math.max(1, (table.bytes() + chunkBytes - 1) / chunkBytes));
            if (pieces == 1) {
                chunks.add(new Chunk(table, 0, -1, 0, 1));
                continue;
            }
            long step = (table.pages() + pieces - 1) / pieces;
            for (int i = 0; i < pieces; i++) {
                long from = i * step;
                chunks.add(new Chunk(table, from, i == pieces - 1 ? -1 : from + step, i, (int) pieces));
            }
        }
        return chunks;
    }
}
