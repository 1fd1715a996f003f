package dev.pgferry.copy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure: splits the post-data table of contents of a schema dump (pg_restore --list) into each
 * table's own indexes and key constraints, built as soon as that table's rows are in, and the
 * rest (foreign keys, triggers, rules, policies, index attachments, comments...), restored once
 * every table is built. An entry is matched to its table by the oid pg_dump records for it.
 */
public final class TocEntries {

    /** pg_class and pg_constraint: the catalogs of an INDEX and a CONSTRAINT entry. */
    static final long PG_CLASS = 1259;
    static final long PG_CONSTRAINT = 2606;

    private static final Pattern ENTRY = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");

    private TocEntries() {
    }

    /** Per table (by source oid) its list lines in dump order, and the rest. */
    public record Split(Map<Long, List<String>> perTable, List<String> rest) {
    }

    /**
     * {@code indexTables}: index oid -> its table's oid; {@code constraintTables}: constraint oid
     * -> its table's oid; {@code copied}: the oids of the tables the copy fills (a partitioned
     * parent's own index is instant and waits for the rest, with the attachments).
     */
    public static Split split(List<String> lines, Map<Long, Long> indexTables, Map<Long, Long> constraintTables,
            java.util.Set<Long> copied) {
        Map<Long, List<String>> perTable = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (String line : lines) {
            Matcher m = ENTRY.matcher(line);
            if (!m.matches()) {
                continue;
            }
            long catalog = Long.parseLong(m.group(2));
            long oid = Long.parseLong(m.group(3));
            String description = m.group(4);
            Long table = null;
            if (catalog == PG_CLASS && description.startsWith("INDEX ") && !description.startsWith("INDEX ATTACH ")) {
                table = indexTables.get(oid);
            } else if (catalog == PG_CONSTRAINT && description.startsWith("CONSTRAINT ")) {
                table = constraintTables.get(oid);
            }
            if (table != null && copied.contains(table)) {
                perTable.computeIfAbsent(table, k -> new ArrayList<>()).add(line);
            } else {
                rest.add(line);
            }
        }
        return new Split(perTable, rest);
    }
}
