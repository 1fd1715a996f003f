package dev.pgferry.schemachange;

import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Column;
import dev.pgferry.schemachange.Definitions.Relation;
import dev.pgferry.schemachange.SchemaChange.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The rules for columns: added (with the value the source kept for its existing rows), dropped,
 * renamed (a column gone and one alike added), changed (type, default, NOT NULL); a partitioned
 * table's change takes its partitions' differences.
 */
abstract class ColumnRules extends ObjectRules {

    ColumnRules(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        super(differences, source, destination, assignable);
    }

    // ---- columns

    /**
     * A column missing on each side of the same table, alike in every other way, is a rename: one
     * statement keeps its values, where drop and add would lose them.
     */
    void renamedColumns() {
        Map<String, List<Difference>> added = new LinkedHashMap<>();
        Map<String, List<Difference>> gone = new LinkedHashMap<>();
        for (Difference d : List.copyOf(open.values())) {
            if (!d.kind().equals("column")) {
                continue;
            }
            String table = Ddl.splitColumnKey(d.name())[0];
            Relation of = source.relations().get(table);
            if (of != null && of.partitionOf() != null) {
                continue; // a rename on the partitioned table reaches its partitions
            }
            if (d.destination() == null) {
                added.computeIfAbsent(table, t -> new ArrayList<>()).add(d);
            } else if (d.source() == null) {
                gone.computeIfAbsent(table, t -> new ArrayList<>()).add(d);
            }
        }
        added.forEach((table, mine) -> {
            List<Difference> theirs = gone.getOrDefault(table, List.of());
            Relation relation = destination.relations().get(table);
            if (mine.size() == 1 && theirs.size() == 1 && relation != null && relation.table()
                    && mine.getFirst().source().equals(theirs.getFirst().destination())) {
                String to = Ddl.splitColumnKey(mine.getFirst().name())[1];
                String from = Ddl.splitColumnKey(theirs.getFirst().name())[1];
                Draft draft = new Draft("column renamed", table + "." + from + " -> " + to)
                        .take("column", mine.getFirst().name()).take("column", theirs.getFirst().name())
                        .sql(SchemaChange.COLUMN, "ALTER TABLE " + table + " RENAME COLUMN " + from + " TO " + to)
                        .at(Level.CONFIRM, "a column gone and one alike added in the same table: most likely a rename "
                                + "(renaming keeps its values; confirm only if it is one)");
                partitionsFollow(draft, table, List.of(mine.getFirst().name(), theirs.getFirst().name()));
                draft.done();
            }
        });
    }

    void column(Difference d) {
        String[] parts = Ddl.splitColumnKey(d.name());
        String table = parts[0];
        Column mine = source.columns().get(d.name());
        Column theirs = destination.columns().get(d.name());
        Relation relation = (mine != null ? source : destination).relations().get(table);
        if (relation != null && (relation.kind().equals("v") || relation.kind().equals("m"))) {
            if (!open.containsKey(key("view", table))) {
                new Draft("view column changed", d.name()).take(d.kind(), d.name()).at(Level.MANUAL, "a view's "
                        + "column changed with the table under it: drop and create the view on the destination by "
                        + "hand once the table matches").done();
            }
            return; // otherwise the view's change says it (its definition differs too)
        }
        if (relation != null && relation.partitionOf() != null
                && open.containsKey(key("column", relation.partitionOf() + "." + parts[1]))) {
            return; // follows its partitioned table's change
        }
        if (mine != null && theirs == null) {
            addedColumn(d, table, mine);
        } else if (mine == null && theirs != null) {
            Draft draft = new Draft("column dropped", d.name()).take(d.kind(), d.name())
                    .sql(SchemaChange.COLUMN, "ALTER TABLE " + table + " DROP COLUMN IF EXISTS " + parts[1])
                    .at(Level.CONFIRM, "dropped on the source: dropping it on the destination deletes its values there"
                            + (theirs.notNull() && theirs.defaultExpression() == null ? " (until then, rows from "
                            + "the source fail its NOT NULL there)" : ""));
            partitionsFollow(draft, table, List.of(d.name()));
            draft.done();
        } else if (mine != null) {
            changedColumn(d, table, parts[1], mine, theirs);
        } else {
            unreadable(d);
        }
    }

    void addedColumn(Difference d, String table, Column mine) {
        Draft draft = new Draft("column added", d.name()).take(d.kind(), d.name());
        String column = dev.pgferry.pg.Identifiers.quote(mine.name());
        if (mine.identity() != null && !mine.identity().isEmpty()) {
            draft.at(Level.MANUAL, "a new identity column: the source numbered its existing rows from its own "
                    + "sequence, which DDL on the destination cannot repeat; add it there and copy the values by hand, "
                    + "or start the database over");
        } else if (mine.defaultExpression() == null || "s".equals(mine.generated()) || "v".equals(mine.generated())) {
            draft.sql(SchemaChange.COLUMN, mine, "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS "
                    + Ddl.columnDefinition(mine, true)).at(Level.SAFE, mine.defaultExpression() == null
                    ? "a new column without a default: existing rows read NULL on both sides"
                    : "a new generated column: computed from the row on both sides");
        } else if (keptValue(table, mine) != null) {
            String missing = keptValue(table, mine);
            Column asAdded = new Column(mine.key(), mine.relation(), mine.name(), mine.position(), mine.type(),
                    mine.baseType(), mine.notNull(), dev.pgferry.pg.Identifiers.literal(missing) + "::"
                    + mine.type(), null, null, null, mine.collation());
            draft.sql(SchemaChange.COLUMN, mine, "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS "
                    + Ddl.columnDefinition(asAdded, true))
                    .sql(SchemaChange.COLUMN, mine, "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET DEFAULT "
                            + mine.defaultExpression())
                    .at(Level.SAFE, "a new column with a default: the rows that existed on the source read "
                            + missing + " (the value PostgreSQL kept when it was added); the destination's get "
                            + "the same, then the default for new rows");
        } else {
            draft.sql(SchemaChange.COLUMN, mine, "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS "
                    + Ddl.columnDefinition(new Column(mine.key(), mine.relation(), mine.name(), mine.position(), mine.type(),
                            mine.baseType(), false, null, null, null, null, mine.collation()), false))
                    .sql(SchemaChange.COLUMN, mine, "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET DEFAULT "
                            + mine.defaultExpression())
                    .at(Level.CONFIRM, "a new column whose default (" + mine.defaultExpression() + ") the source may "
                            + "have computed for each existing row (a volatile default, or the table was rewritten): "
                            + "the destination's existing rows would read NULL; confirm if the source's rows read NULL "
                            + "too (the default was set later), else start the database over");
        }
        partitionsFollow(draft, table, List.of(d.name()));
        draft.done();
    }

    /**
     * The value the rows that existed when the column was added read on the source: kept on the
     * column itself, or, for a partitioned table (which has no rows of its own), on its
     * partitions, when they all kept the same one.
     */
    String keptValue(String table, Column mine) {
        if (mine.missing() != null) {
            return mine.missing();
        }
        Relation relation = source.relations().get(table);
        if (relation == null || !relation.kind().equals("p")) {
            return null;
        }
        java.util.Set<String> kept = new java.util.HashSet<>();
        for (Relation partition : source.relations().values()) {
            if (table.equals(partition.partitionOf())) {
                Column theirs = source.columns().get(partition.key() + "." + Ddl.splitColumnKey(mine.key())[1]);
                String value = theirs == null ? null : keptValue(partition.key(), theirs);
                if (value == null) {
                    return null;
                }
                kept.add(value);
            }
        }
        return kept.size() == 1 ? kept.iterator().next() : null;
    }

    void changedColumn(Difference d, String table, String column, Column mine, Column theirs) {
        Draft draft = new Draft("column changed", d.name()).take(d.kind(), d.name());
        String alter = "ALTER TABLE " + table + " ALTER COLUMN " + column;
        if (!mine.type().equals(theirs.type())) {
            boolean castable = mine.baseType().equals(theirs.baseType()) || assignable.test(theirs.baseType(),
                    mine.baseType());
            if (castable) {
                draft.sql(SchemaChange.COLUMN, alter + " TYPE " + mine.type()
                        + (mine.collation() != null ? " COLLATE " + mine.collation() : ""))
                        .at(Level.CONFIRM, "its type changed from " + theirs.type() + " to " + mine.type()
                                + ", which PostgreSQL converts on assignment (the table is rewritten on the destination; "
                                + "a value that does not fit fails the statement, nothing is lost)");
            } else {
                draft.at(Level.MANUAL, "its type changed from " + theirs.type() + " to " + mine.type() + ", which "
                        + "PostgreSQL does not convert on its own: run ALTER TABLE " + table + " ALTER COLUMN " + column
                        + " TYPE " + mine.type() + " USING <expression> on the destination, with the same expression "
                        + "as on the source");
            }
        }
        if (!Objects.equals(mine.defaultExpression(), theirs.defaultExpression()) && mine.generated().isEmpty()
                && theirs.generated().isEmpty()) {
            draft.sql(SchemaChange.COLUMN, alter + (mine.defaultExpression() == null ? " DROP DEFAULT"
                    : " SET DEFAULT " + mine.defaultExpression()))
                    .at(Level.CONFIRM, "its default changed (new rows replicated from the source carry their values; "
                            + "the default matters after the switch)");
        }
        if (mine.notNull() != theirs.notNull()) {
            draft.sql(SchemaChange.COLUMN, alter + (mine.notNull() ? " SET NOT NULL" : " DROP NOT NULL"))
                    .at(Level.CONFIRM, mine.notNull() ? "it became NOT NULL (checked against every row)"
                            : "it may be NULL now");
        }
        if (!Objects.equals(mine.collation(), theirs.collation()) && mine.type().equals(theirs.type())) {
            draft.at(Level.MANUAL, "its collation changed: apply the same ALTER COLUMN ... TYPE ... COLLATE by hand");
        }
        if (!Objects.equals(mine.identity(), theirs.identity()) || !Objects.equals(mine.generated(),
                theirs.generated())) {
            draft.at(Level.MANUAL, "its identity or generation changed: apply the same ALTER COLUMN on the "
                    + "destination by hand");
        }
        if (draft.why.isEmpty()) {
            draft.at(Level.MANUAL, "its column privileges differ (source: " + d.source() + "; destination: "
                    + d.destination() + "): apply the same GRANT or REVOKE on the destination by hand");
        }
        partitionsFollow(draft, table, List.of(d.name()));
        draft.done();
    }

    /** A column change on a partitioned table reaches its partitions: their differences go with it. */
    void partitionsFollow(Draft draft, String table, List<String> columnKeys) {
        for (Relation r : List.copyOf(source.relations().values())) {
            if (table.equals(r.partitionOf())) {
                for (String columnKey : columnKeys) {
                    String column = Ddl.splitColumnKey(columnKey)[1];
                    draft.take("column", r.key() + "." + column);
                    partitionsFollow(draft, r.key(), List.of(r.key() + "." + column));
                }
            }
        }
    }
}
