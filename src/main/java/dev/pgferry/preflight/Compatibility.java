package dev.pgferry.preflight;

import dev.pgferry.config.Scope;
import dev.pgferry.monitor.ColumnFacts;
import dev.pgferry.monitor.ColumnFacts.Column;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure: for a data-only mapping, whether each source table can be replicated into the
 * destination's existing table. Breaking: the table or a column is missing, or the destination
 * has a NOT NULL column without default that the source does not fill. Needs attention: a
 * different (possibly narrower) type, or no key to apply UPDATE and DELETE by.
 */
public final class Compatibility {

    public enum Level {
        SAFE, NEEDS_ATTENTION, BREAKING
    }

    /** One table's verdict with its reasons. */
    public record TableCompatibility(String table, Level level, List<String> reasons) {
    }

    private static final Pattern SIZED = Pattern.compile("(character varying|character|numeric|bit varying)\\((\\d+)"
            + "(?:,(\\d+))?\\)");
    private static final List<List<String>> WIDENING = List.of(List.of("smallint", "integer", "bigint", "numeric"),
            List.of("real", "double precision"), List.of("character varying", "text"), List.of("character", "text"),
            List.of("timestamp without time zone", "timestamp with time zone"));

    private Compatibility() {
    }

    public static List<TableCompatibility> evaluate(ColumnFacts facts, Scope scope) {
        Map<String, List<Column>> source = byTable(facts.source());
        Map<String, List<Column>> destination = byTable(facts.destination());
        List<TableCompatibility> result = new ArrayList<>();
        source.forEach((table, columns) -> {
            Column first = columns.getFirst();
            if (scope.includes(first.schema(), first.table())) {
                result.add(table(table, columns, destination.get(table),
                        facts.keyedDestinationTables().contains(table)));
            }
        });
        return result;
    }

    private static TableCompatibility table(String table, List<Column> source, List<Column> destination,
            boolean keyed) {
        if (destination == null) {
            return new TableCompatibility(table, Level.BREAKING, List.of("missing on the destination"));
        }
        Map<String, Column> theirs = new LinkedHashMap<>();
        destination.forEach(c -> theirs.put(c.name(), c));
        List<String> breaking = new ArrayList<>();
        List<String> attention = new ArrayList<>();
        for (Column column : source) {
            Column other = theirs.remove(column.name());
            if (other == null) {
                breaking.add("column " + column.name() + " missing on the destination");
            } else if (!column.type().equals(other.type())) {
                String verdict = widens(column.type(), other.type()) ? null
                        : "column " + column.name() + " is " + column.type() + " on the source, " + other.type()
                                + " on the destination: values may not fit";
                if (verdict != null) {
                    attention.add(verdict);
                }
            }
        }
        theirs.values().stream().filter(c -> c.notNull() && !c.hasDefault()).forEach(c -> breaking.add("column "
                + c.name() + " exists only on the destination, NOT NULL without default"));
        if (!keyed) {
            attention.add("no primary key or replica identity on the destination: UPDATE and DELETE scan the table");
        }
        List<String> reasons = new ArrayList<>(breaking);
        reasons.addAll(attention);
        Level level = !breaking.isEmpty() ? Level.BREAKING : !attention.isEmpty() ? Level.NEEDS_ATTENTION : Level.SAFE;
        return new TableCompatibility(table, level, reasons);
    }

    /** Whether every value of {@code from} fits {@code to}: same family, not narrower. */
    static boolean widens(String from, String to) {
        Matcher a = SIZED.matcher(from);
        Matcher b = SIZED.matcher(to);
        if (a.matches() && b.matches() && a.group(1).equals(b.group(1))) {
            int precision = Integer.parseInt(a.group(2)) - (a.group(3) == null ? 0 : Integer.parseInt(a.group(3)));
            int otherPrecision = Integer.parseInt(b.group(2)) - (b.group(3) == null ? 0 : Integer.parseInt(b.group(3)));
            int scale = a.group(3) == null ? 0 : Integer.parseInt(a.group(3));
            int otherScale = b.group(3) == null ? 0 : Integer.parseInt(b.group(3));
            return otherPrecision >= precision && otherScale >= scale;
        }
        String base = a.matches() ? a.group(1) : from;
        String otherBase = b.matches() ? b.group(1) : to;
        if (b.matches() && !a.matches() && base.equals(otherBase)) {
            return false; // unsized to sized: narrower
        }
        if (base.equals(otherBase)) {
            return true;
        }
        for (List<String> family : WIDENING) {
            int i = family.indexOf(base);
            int j = family.indexOf(otherBase);
            if (i >= 0 && j > i && !b.matches()) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, List<Column>> byTable(List<Column> columns) {
        Map<String, List<Column>> tables = new LinkedHashMap<>();
        columns.forEach(c -> tables.computeIfAbsent(c.tableName(), k -> new ArrayList<>()).add(c));
        return tables;
    }
}
