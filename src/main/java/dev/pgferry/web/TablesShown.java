package dev.pgferry.web;

import dev.pgferry.web.MappingView.TableView;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tables a database's page lists (pure): all of them up to {@link #DEFAULT_LIMIT}; beyond,
 * those that need a look first (being copied or synchronized, then the largest row deltas, then
 * the largest), shown in their usual order. A page of thousands of rows, polled every few seconds,
 * costs the server and the browser most of its time for rows nobody reads; the JSON API and
 * {@code ?tables=all} give every one.
 */
public record TablesShown(List<TableView> tables, int total) {

    public static final int DEFAULT_LIMIT = 200;

    public TablesShown {
        tables = List.copyOf(tables);
    }

    /** How many were left out. */
    public int hidden() {
        return total - tables.size();
    }

    /** {@code limit}: how many at most (null: the default; "all": every one). */
    public static TablesShown of(List<TableView> tables, String limit) {
        int most = "all".equals(limit) ? Integer.MAX_VALUE : parse(limit);
        if (tables.size() <= most) {
            return new TablesShown(tables, tables.size());
        }
        Set<TableView> first = new HashSet<>(tables.stream().sorted(NEEDS_A_LOOK_FIRST).limit(most).toList());
        return new TablesShown(tables.stream().filter(first::contains).toList(), tables.size());
    }

    private static int parse(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        try {
            return Math.max(1, Integer.parseInt(limit));
        } catch (NumberFormatException e) {
            return DEFAULT_LIMIT;
        }
    }

    private static final Comparator<TableView> NEEDS_A_LOOK_FIRST = Comparator
            .comparing((TableView t) -> !busy(t))
            .thenComparing(t -> t.rowDelta() == null ? 0 : -Math.abs(t.rowDelta()))
            .thenComparing(t -> t.sourceBytes() == null ? 0 : -t.sourceBytes());

    /** Being copied, or not synchronized yet. */
    private static boolean busy(TableView t) {
        boolean copying = t.copyBytesDone() != null && (t.copyPercent() == null || t.copyPercent() < 100);
        boolean syncing = t.syncState() != null && !"r".equals(t.syncState());
        return copying || syncing;
    }
}
