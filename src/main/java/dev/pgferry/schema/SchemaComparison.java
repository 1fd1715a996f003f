package dev.pgferry.schema;

import dev.pgferry.schema.FidelityReport.Difference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Pure: compares two object lists from {@link FingerprintQuery} and lists what differs. */
final class SchemaComparison {

    private SchemaComparison() {
    }

    /** An object: its kind, its qualified name, and its definition as rendered by the query. */
    record SchemaObject(String kind, String name, String detail) {

        String key() {
            return kind + "\u0000" + name;
        }
    }

    /** Any "name." or "\"name\"." qualifier, for definitions whose rendering changed across versions. */
    private static final java.util.regex.Pattern QUALIFIER =
            java.util.regex.Pattern.compile("(?<![\\w\"])(?:[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")+\")\\.(?=[A-Za-z_\"*])");

    /**
     * PostgreSQL 16 stopped qualifying columns in single-table view definitions, so the same
     * view reads "SELECT notes.id" on 15 and "SELECT id" on 18: view and rule definitions are
     * compared with every qualifier removed on both sides.
     */
    static String normalize(String kind, String detail) {
        if (detail == null || !(kind.equals("view") || kind.equals("rule"))) {
            return detail;
        }
        return QUALIFIER.matcher(detail).replaceAll("");
    }

    static List<Difference> compare(List<SchemaObject> source, List<SchemaObject> destination) {
        Map<String, SchemaObject> mine = index(source);
        Map<String, SchemaObject> theirs = index(destination);
        List<Difference> differences = new ArrayList<>();
        for (Map.Entry<String, SchemaObject> entry : mine.entrySet()) {
            SchemaObject other = theirs.get(entry.getKey());
            SchemaObject object = entry.getValue();
            if (other == null) {
                differences.add(new Difference(object.kind(), object.name(), object.detail(), null));
            } else if (!Objects.equals(normalize(object.kind(), object.detail()),
                    normalize(other.kind(), other.detail()))) {
                differences.add(new Difference(object.kind(), object.name(), object.detail(), other.detail()));
            }
        }
        theirs.forEach((key, object) -> {
            if (!mine.containsKey(key)) {
                differences.add(new Difference(object.kind(), object.name(), null, object.detail()));
            }
        });
        return differences;
    }

    private static Map<String, SchemaObject> index(List<SchemaObject> objects) {
        Map<String, SchemaObject> index = new TreeMap<>();
        objects.forEach(o -> index.merge(o.key(), o, (a, b) -> new SchemaObject(a.kind(), a.name(),
                a.detail() + " | " + b.detail())));
        return index;
    }
}
