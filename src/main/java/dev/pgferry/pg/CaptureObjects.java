package dev.pgferry.pg;

import java.util.regex.Pattern;

/**
 * The names of pgferry's DDL capture objects in a source database (schemachange.DdlCapture, named
 * by replication.ReplicationNames#ddlCapture: {@code pgferry_<mapping>_<database>_ddl_<8 hex>}), as
 * every catalog query and dump of pgferry's leaves them out: they are pgferry's, not the
 * application's schema, and are never compared, published or copied.
 */
public final class CaptureObjects {

    /** Matches every capture name (a PostgreSQL regular expression, for {@code !~}). */
    public static final String REGEX = "^pgferry_.+_ddl_[0-9a-f]{8}$";

    /** The same for pg_dump's --exclude-schema (its patterns: * any text, ? one character). */
    public static final String DUMP_PATTERN = "pgferry_*_ddl_????????";

    private static final Pattern TOC_ENTRY = Pattern.compile(
            "^\\d+; \\d+ \\d+ EVENT TRIGGER - pgferry_\\S+_ddl_[0-9a-f]{8} .*");

    private CaptureObjects() {
    }

    /**
     * Whether a line of pg_restore --list is a capture's event trigger: a dump leaves out the
     * capture's schema (--exclude-schema), but not the event trigger, a database-wide object.
     */
    public static boolean isTocEntry(String tocLine) {
        return TOC_ENTRY.matcher(tocLine).matches();
    }
}
