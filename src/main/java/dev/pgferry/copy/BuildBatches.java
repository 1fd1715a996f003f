package dev.pgferry.copy;

import java.util.ArrayList;
import java.util.List;

/**
 * Which copied tables have their indexes and keys built together. A table with large indexes is
 * built alone as soon as its rows are in (it may be on the critical path); small ones are
 * gathered and built by one pg_restore: one process per table cost about 0.1 s each, most of a
 * database of thousands of small tables' copy time. A batch goes when it is full, and the rest
 * once no chunk is left to copy.
 */
final class BuildBatches {

    /** Indexes up to this size (on the source) are built with others. */
    static final long SMALL_INDEX_BYTES = 8L * 1024 * 1024;
    /** The most tables one restore builds. */
    static final int MAX_TABLES = 100;

    private final List<TableToCopy> pending = new ArrayList<>();

    /** The tables to build now that {@code table} is copied (none while its batch fills). */
    synchronized List<TableToCopy> copied(TableToCopy table, boolean noChunkLeft) {
        if (table.costlyIndexes() || table.indexBytes() > SMALL_INDEX_BYTES) {
            return List.of(table);
        }
        pending.add(table);
        return pending.size() >= MAX_TABLES || noChunkLeft ? rest() : List.of();
    }

    /** Whatever is gathered and not built yet. */
    synchronized List<TableToCopy> rest() {
        List<TableToCopy> batch = List.copyOf(pending);
        pending.clear();
        return batch;
    }
}
