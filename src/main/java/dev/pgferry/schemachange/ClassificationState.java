package dev.pgferry.schemachange;

import dev.pgferry.replication.PublishedTable;
import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Column;
import dev.pgferry.schemachange.SchemaChange.Level;
import dev.pgferry.schemachange.SchemaChange.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * What a classification works on and makes: both sides' definitions, the differences not yet
 * taken by a change (in the drift guard's order), and the changes made so far, each put together
 * as a {@link Draft}. The rules of each kind of object are in the layers above it
 * ({@link ObjectRules}, {@link ColumnRules}, {@link RelationRules}); {@link ChangeClassifier}
 * runs them in order.
 */
abstract class ClassificationState {

    final List<Difference> differences;
    final Definitions source;
    final Definitions destination;
    final BiPredicate<String, String> assignable;
    final Map<String, Difference> open = new LinkedHashMap<>();
    final List<SchemaChange> changes = new ArrayList<>();

    ClassificationState(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        this.differences = differences;
        this.source = source;
        this.destination = destination;
        this.assignable = assignable;
        differences.forEach(d -> open.put(key(d.kind(), d.name()), d));
    }

    static String key(String kind, String name) {
        return kind + "\u0000" + name;
    }

    static String stripSemicolon(String sql) {
        String trimmed = sql.strip();
        return trimmed.endsWith(";") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    /** A change being put together: the differences it takes and its statements. */
    final class Draft {
        final String what;
        final String object;
        final List<Difference> covered = new ArrayList<>();
        final List<Statement> statements = new ArrayList<>();
        final List<PublishedTable> publish = new ArrayList<>();
        Level level = Level.SAFE;
        boolean refresh;
        final List<String> why = new ArrayList<>();

        Draft(String what, String object) {
            this.what = what;
            this.object = object;
        }

        Draft take(String kind, String name) {
            Difference d = open.remove(key(kind, name));
            if (d != null) {
                covered.add(d);
            }
            return this;
        }

        Draft sql(int stage, String sql) {
            statements.add(new Statement(stage, sql));
            return this;
        }

        /** A statement about a column, placed by the column's position in its table. */
        Draft sql(int stage, Column column, String sql) {
            statements.add(new Statement(stage, column.position(), sql));
            return this;
        }

        Draft at(Level atLeast, String reason) {
            if (atLeast.compareTo(level) > 0) {
                level = atLeast;
            }
            why.add(reason);
            return this;
        }

        void done() {
            if (covered.isEmpty()) {
                return;
            }
            if (level == Level.MANUAL) {
                statements.clear();
                publish.clear();
                refresh = false;
            }
            List<String> ids = covered.stream().map(d -> d.kind() + " " + d.name() + " " + d.source() + " "
                    + d.destination()).toList();
            changes.add(new SchemaChange(SchemaChange.idOf(ids), level, what, object, statements, publish, refresh,
                    String.join("; ", why), covered.stream().map(d -> d.kind() + " " + d.name()).toList()));
        }
    }

}
