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
     * The SQL condition that a schema name ({@code column}) is the application's: not the system's
     * (pg_*, information_schema) and not a DDL capture's. The one definition every catalog query of
     * pgferry's uses, written in a query as {@code USER_SCHEMA(column)} and expanded by {@link #expand}.
     */
    public static String userSchema(String column) {
        return column + " <> 'information_schema' AND " + column + " NOT LIKE 'pg\\_%' AND " + notCapture(column);
    }

    /** The SQL condition that a name ({@code column}: a schema's, an event trigger's) is no DDL capture's. */
    public static String notCapture(String column) {
        return column + " !~ '" + REGEX + "'";
    }

    private static final Pattern TOKEN = Pattern.compile("(USER_SCHEMA|NOT_CAPTURE)\\(([\\w.]+)\\)");

    /**
     * The query with every {@code USER_SCHEMA(column)} replaced by {@link #userSchema} and every
     * {@code NOT_CAPTURE(column)} by {@link #notCapture}.
     */
    public static String expand(String sql) {
        return TOKEN.matcher(sql).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group(1).equals("USER_SCHEMA") ? userSchema(m.group(2)) : notCapture(m.group(2))));
    }

    /**
     * Whether a line of pg_restore --list is a capture's event trigger: a dump leaves out the
     * capture's schema (--exclude-schema), but not the event trigger, a database-wide object.
     */
    public static boolean isTocEntry(String tocLine) {
        return TOC_ENTRY.matcher(tocLine).matches();
    }
}
