package dev.pgferry.copy;

import static dev.pgferry.pg.Identifiers.qualified;

import java.util.List;

/**
 * A table with rows of its own (a plain table or a partition leaf) that the snapshot copy moves:
 * its source oid (to find its indexes in the dump), size, quoted non-generated columns and
 * whether binary COPY is safe (every column of a built-in type: the binary form of an extension
 * or user type names its oids, which differ between servers).
 */
public record TableToCopy(long oid, String schema, String name, long bytes, long pages, long indexBytes,
        boolean costlyIndexes, List<String> columns, boolean binary) {

    public TableToCopy {
        columns = List.copyOf(columns);
    }

    public String qualifiedName() {
        return qualified(schema, name);
    }

    /** What its index build will cost, roughly: GIN and GiST builds are several times slower per byte. */
    long indexCost() {
        return costlyIndexes ? indexBytes * 4 : indexBytes;
    }
}
