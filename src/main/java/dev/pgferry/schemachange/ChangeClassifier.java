package dev.pgferry.schemachange;

import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.SchemaChange.Level;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Pure: turns the differences the drift guard found into changes, each with its level, the exact
 * statements and why. The rules, in short: what only adds (a schema, table, column, key, index,
 * view, routine, trigger, comment, grant) is {@link Level#SAFE}; what changes or removes
 * something PostgreSQL can still do without losing rows (a dropped column or table, a rename, a
 * type PostgreSQL casts on assignment, a default, NOT NULL, a revoke) waits for confirmation;
 * the rest (a type that needs USING, a new column whose rows the source filled in a way DDL
 * cannot repeat, policies, rules, types, extensions, roles) is {@link Level#MANUAL}.
 *
 * <p>The objects that belong to a new table (its columns, keys, indexes, triggers, comments,
 * owned sequences) go with the table's change, and so do a dropped table's.
 */
final class ChangeClassifier extends RelationRules {

    private ChangeClassifier(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        super(differences, source, destination, assignable);
    }

    /**
     * {@code assignable}: whether the destination converts the first base type to the second in an
     * assignment (asked only for columns whose type differs).
     */
    static List<SchemaChange> classify(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        return new ChangeClassifier(differences, source, destination, assignable).run();
    }

    private List<SchemaChange> run() {
        // schemas, then tables (which take their own sequences, keys and indexes), then other relations
        for (List<String> kinds : List.of(List.of("schema"), List.of("relation r", "relation p"),
                List.of("relation v", "relation m", "relation S", "relation f"))) {
            for (Difference d : differences) {
                if (!open.containsKey(key(d.kind(), d.name())) || !kinds.contains(d.kind())) {
                    continue;
                }
                if (d.kind().equals("schema")) {
                    schema(d);
                } else {
                    relation(d);
                }
            }
        }
        renamedColumns();
        for (Difference d : differences) {
            if (!open.containsKey(key(d.kind(), d.name()))) {
                continue;
            }
            switch (d.kind()) {
                case "column" -> column(d);
                case "constraint" -> constraint(d);
                case "index" -> index(d);
                case "view" -> view(d);
                case "sequence" -> sequence(d);
                case "function" -> function(d);
                case "trigger" -> trigger(d);
                case "comment" -> comment(d);
                default -> manual(d);
            }
        }
        return List.copyOf(changes);
    }
}
