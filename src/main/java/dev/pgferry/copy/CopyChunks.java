package dev.pgferry.copy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pure: the order and the ranges of the snapshot copy. Tables whose indexes will take longest
 * to build go first, so their builds overlap the copy of the rest (the schedule matters more than
 * the raw copy speed); a table larger than the chunk size is split into ranges of pages (by ctid)
 * so that every worker stays busy. The last range of a table is open-ended.
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

    public static List<Chunk> of(List<TableToCopy> tables, int workers) {
        long chunkBytes = chunkBytes(tables, workers);
        List<TableToCopy> ordered = new ArrayList<>(tables);
        ordered.sort(Comparator.comparingLong(TableToCopy::indexCost).reversed()
                .thenComparing(Comparator.comparingLong(TableToCopy::bytes).reversed())
                .thenComparing(TableToCopy::schema).thenComparing(TableToCopy::name));
        List<Chunk> chunks = new ArrayList<>();
        for (TableToCopy table : ordered) {
            int pieces = table.pages() <= 1 ? 1 : (int) Math.min(table.pages(), Math.max(1,
                    (table.bytes() + chunkBytes - 1) / chunkBytes));
            if (pieces == 1) {
                chunks.add(new Chunk(table, 0, -1, 0, 1));
                continue;
            }
            long step = (table.pages() + pieces - 1) / pieces;
            for (int i = 0; i < pieces; i++) {
                long from = i * step;
                chunks.add(new Chunk(table, from, i == pieces - 1 ? -1 : from + step, i, pieces));
            }
        }
        return chunks;
    }
}
