package dev.pgferry.schemachange;

import dev.pgferry.replication.PublishedTable;
import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Column;
import dev.pgferry.schemachange.Definitions.Comment;
import dev.pgferry.schemachange.Definitions.Constraint;
import dev.pgferry.schemachange.Definitions.Function;
import dev.pgferry.schemachange.Definitions.Index;
import dev.pgferry.schemachange.Definitions.Relation;
import dev.pgferry.schemachange.Definitions.Schema;
import dev.pgferry.schemachange.Definitions.Sequence;
import dev.pgferry.schemachange.Definitions.Trigger;
import dev.pgferry.schemachange.SchemaChange.Level;
import dev.pgferry.schemachange.SchemaChange.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
final class ChangeClassifier {

    private final List<Difference> differences;
    private final Definitions source;
    private final Definitions destination;
    private final BiPredicate<String, String> assignable;
    private final Map<String, Difference> open = new LinkedHashMap<>();
    private final List<SchemaChange> changes = new ArrayList<>();

    private ChangeClassifier(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        this.differences = differences;
        this.source = source;
        this.destination = destination;
        this.assignable = assignable;
        differences.forEach(d -> open.put(key(d.kind(), d.name()), d));
    }

    /**
     * {@code assignable}: whether the destination converts the first base type to the second in an
     * assignment (asked only for columns whose type differs).
     */
    static List<SchemaChange> classify(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        return new ChangeClassifier(differences, source, destination, assignable).run();
    }

    private static String key(String kind, String name) {
        return kind + "\u0000" + name;
    }

    /** A change being put together: the differences it takes and its statements. */
    private final class Draft {
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

    // ---- schemas

    private void schema(Difference d) {
        Schema mine = source.schemas().get(d.name());
        Schema theirs = destination.schemas().get(d.name());
        if (mine != null && theirs == null) {
            Draft draft = new Draft("schema added", d.name()).take(d.kind(), d.name())
                    .sql(SchemaChange.SCHEMA, "CREATE SCHEMA IF NOT EXISTS " + d.name() + " AUTHORIZATION "
                            + mine.owner()).at(Level.SAFE, "a new schema: creating it loses nothing");
            Ddl.grants("SCHEMA " + d.name(), mine.acl(), List.of(), mine.owner(), false)
                    .forEach(g -> draft.sql(SchemaChange.GRANT, g));
            commentsOn(draft, d.name());
            draft.done();
        } else if (mine == null && theirs != null) {
            new Draft("schema dropped", d.name()).take(d.kind(), d.name())
                    .sql(SchemaChange.SCHEMA, "DROP SCHEMA " + d.name() + " RESTRICT")
                    .at(Level.CONFIRM, "dropped on the source: dropping it on the destination removes it for good "
                            + "(RESTRICT: refused while it still holds objects)").done();
        } else if (mine != null) {
            privileges(new Draft("schema privileges changed", d.name()).take(d.kind(), d.name()), "SCHEMA "
                    + d.name(), "SCHEMA " + d.name(), mine.owner(), theirs.owner(), mine.acl(), theirs.acl(), true)
                    .done();
        }
    }

    // ---- relations

    private void relation(Difference d) {
        Relation mine = source.relations().get(d.name());
        Relation theirs = destination.relations().get(d.name());
        if (mine != null && theirs == null) {
            added(d, mine);
        } else if (mine == null && theirs != null) {
            dropped(d, theirs);
        } else if (mine != null) {
            Draft draft = new Draft(Ddl.relationWord(mine.kind()).toLowerCase(java.util.Locale.ROOT)
                    + " changed", d.name()).take(d.kind(), d.name());
            if (!Objects.equals(mine.persistence(), theirs.persistence()) || !Objects.equals(mine.partitionOf(),
                    theirs.partitionOf()) || !Objects.equals(mine.bound(), theirs.bound())
                    || !Objects.equals(mine.partitionKey(), theirs.partitionKey()) || !mine.kind().equals(theirs.kind())) {
                draft.at(Level.MANUAL, "its persistence, partitioning or options differ: " + d.source() + " on the "
                        + "source, " + d.destination() + " on the destination; pgferry does not rebuild a table: "
                        + "change it on the destination by hand");
            } else if (mine.owner().equals(theirs.owner()) && mine.acl().equals(theirs.acl())) {
                draft.at(Level.MANUAL, "its storage options or row security differ (" + d.source() + " on the "
                        + "source, " + d.destination() + " on the destination): apply the same ALTER on the "
                        + "destination by hand");
            }
            String word = mine.kind().equals("S") ? "SEQUENCE" : "TABLE";
            privileges(draft, word + " " + d.name(), Ddl.relationWord(mine.kind()) + " " + d.name(), mine.owner(),
                    theirs.owner(), mine.acl(), theirs.acl(), true).done();
        }
    }

    private void added(Difference d, Relation mine) {
        String word = Ddl.relationWord(mine.kind());
        Draft draft = new Draft(word.toLowerCase(java.util.Locale.ROOT) + " added", d.name()).take(d.kind(), d.name());
        switch (mine.kind()) {
            case "r", "p" -> addedTable(draft, mine);
            case "v" -> draft.take("view", d.name()).sql(SchemaChange.VIEW, "CREATE VIEW " + d.name() + " AS "
                    + stripSemicolon(mine.viewDefinition())).at(Level.SAFE, "a new view: creating it loses nothing");
            case "m" -> draft.take("view", d.name()).sql(SchemaChange.VIEW, "CREATE MATERIALIZED VIEW " + d.name()
                    + " AS " + stripSemicolon(mine.viewDefinition()) + " WITH NO DATA").at(Level.SAFE, "a new "
                    + "materialized view, created empty: pgferry refreshes materialized views at cutover");
            case "S" -> {
                Sequence s = source.sequences().get(d.name());
                draft.take("sequence", d.name());
                if (s == null) {
                    draft.at(Level.MANUAL, "its definition could not be read on the source");
                } else if (s.identity()) {
                    draft.at(Level.MANUAL, "the sequence of a new identity column: see that column's change");
                } else {
                    draft.sql(SchemaChange.SEQUENCE, Ddl.createSequence(s)).at(Level.SAFE, "a new sequence: "
                            + "creating it loses nothing (its value is set at cutover, with the others)");
                    if (s.ownedBy() != null) {
                        draft.sql(SchemaChange.OWNED_BY, "ALTER SEQUENCE " + d.name() + " OWNED BY " + s.ownedBy());
                    }
                }
            }
            default -> draft.at(Level.MANUAL, "a new foreign table: its server and user mapping are the "
                    + "destination's business; create it there by hand");
        }
        if (!mine.kind().equals("r") && !mine.kind().equals("p")) {
            for (Column c : source.columnsOf(d.name())) {
                draft.take("column", c.key());
            }
        }
        draft.sql(SchemaChange.GRANT, "ALTER " + word + " " + d.name() + " OWNER TO " + mine.owner());
        Ddl.grants((mine.kind().equals("S") ? "SEQUENCE " : "TABLE ") + d.name(), mine.acl(), List.of(), mine.owner(),
                false).forEach(g -> draft.sql(SchemaChange.GRANT, g));
        indexesAndTriggersOf(draft, d.name());
        commentsOn(draft, d.name());
        draft.done();
    }

    /**
     * A new table: created with its columns (a partition, from its parent), its keys, indexes,
     * triggers, comments and the sequences its columns own; a top-level one with a key is added to
     * the publication and the subscription refreshed, so its rows arrive by an initial copy of
     * their own. One without a key is not published (the source's UPDATE and DELETE on it would
     * fail), so it is manual until it gets one.
     */
    private void addedTable(Draft draft, Relation mine) {
        String table = mine.key();
        List<Column> columns = source.columnsOf(table);
        columns.forEach(c -> draft.take("column", c.key()));
        for (Sequence s : source.sequences().values()) {
            if (s.ownedBy() != null && Ddl.splitColumnKey(s.ownedBy())[0].equals(table)) {
                draft.take("relation S", s.key()).take("sequence", s.key());
                if (!s.identity() && !destination.sequences().containsKey(s.key())) {
                    Relation sequence = source.relations().get(s.key());
                    draft.sql(SchemaChange.SEQUENCE, Ddl.createSequence(s))
                            .sql(SchemaChange.OWNED_BY, "ALTER SEQUENCE " + s.key() + " OWNED BY " + s.ownedBy());
                    if (sequence != null) {
                        draft.sql(SchemaChange.GRANT, "ALTER SEQUENCE " + s.key() + " OWNER TO " + sequence.owner());
                        Ddl.grants("SEQUENCE " + s.key(), sequence.acl(), List.of(), sequence.owner(), false)
                                .forEach(g -> draft.sql(SchemaChange.GRANT, g));
                    }
                }
            }
        }
        boolean partition = mine.partitionOf() != null;
        draft.sql(partition ? SchemaChange.PARTITION : SchemaChange.TABLE, Ddl.createTable(mine, columns));
        List<Constraint> constraints = source.constraints().values().stream()
                .filter(k -> table.equals(k.relation())).toList();
        for (Constraint k : constraints) {
            draft.take("constraint", k.key());
            if (k.index() != null) {
                draft.take("index", k.index());
            }
            draft.sql(k.type().equals("f") ? SchemaChange.FOREIGN_KEY : SchemaChange.KEY, "ALTER TABLE " + table
                    + " ADD CONSTRAINT " + dev.pgferry.pg.Identifiers.quote(k.name()) + " " + k.definition());
        }
        if (partition) {
            draft.at(Level.SAFE, "a new partition of " + mine.partitionOf() + ": its rows arrive through the "
                    + "partitioned table's, which is published already");
            return;
        }
        if ("u".equals(mine.persistence())) {
            draft.at(Level.SAFE, "a new unlogged table: created empty (PostgreSQL does not replicate unlogged tables)");
            return;
        }
        boolean key = constraints.stream().anyMatch(k -> k.type().equals("p"))
                || "f".equals(mine.replicaIdentity()) || "i".equals(mine.replicaIdentity());
        if (!key) {
            draft.at(Level.MANUAL, "a new table without a primary key or replica identity: once published, the "
                    + "source's UPDATE and DELETE on it would fail; give it a primary key on the source (pgferry then "
                    + "carries it over), or create it on the destination and move its rows at cutover");
            return;
        }
        draft.publish.add(new PublishedTable(mine.schema(), mine.name()));
        draft.refresh = true;
        draft.at(Level.SAFE, "a new table: created on the destination, added to the publication, and the "
                + "subscription refreshed so its rows get an initial copy of their own");
    }

    private void dropped(Difference d, Relation theirs) {
        String word = Ddl.relationWord(theirs.kind());
        Draft draft = new Draft(word.toLowerCase(java.util.Locale.ROOT) + " dropped", d.name()).take(d.kind(), d.name());
        for (Column c : destination.columnsOf(d.name())) {
            draft.take("column", c.key());
        }
        destination.constraints().values().stream().filter(k -> d.name().equals(k.relation())).forEach(k -> {
            draft.take("constraint", k.key());
            if (k.index() != null) {
                draft.take("index", k.index());
            }
        });
        destination.indexes().values().stream().filter(i -> i.relation().equals(d.name()))
                .forEach(i -> draft.take("index", i.key()));
        destination.triggers().values().stream().filter(t -> t.relation().equals(d.name()))
                .forEach(t -> draft.take("trigger", t.key()));
        destination.sequences().values().stream().filter(s -> s.ownedBy() != null
                && Ddl.splitColumnKey(s.ownedBy())[0].equals(d.name()))
                .forEach(s -> draft.take("relation S", s.key()).take("sequence", s.key()));
        draft.take("view", d.name()).take("sequence", d.name());
        destination.comments().values().stream().filter(c -> c.object() != null && (c.object().equals(d.name())
                || c.object().startsWith(d.name() + "."))).forEach(c -> draft.take("comment", c.key()));
        draft.sql(SchemaChange.TABLE, "DROP " + word + " IF EXISTS " + d.name());
        if (theirs.table()) {
            draft.refresh = theirs.partitionOf() == null;
            draft.at(Level.CONFIRM, "dropped on the source: dropping it on the destination deletes its rows there "
                    + "for good");
        } else {
            draft.at(Level.CONFIRM, "dropped on the source: dropping it on the destination removes it for good");
        }
        draft.done();
    }

    // ---- columns

    /**
     * A column missing on each side of the same table, alike in every other way, is a rename: one
     * statement keeps its values, where drop and add would lose them.
     */
    private void renamedColumns() {
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

    private void column(Difference d) {
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

    private void addedColumn(Difference d, String table, Column mine) {
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
    private String keptValue(String table, Column mine) {
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

    private void changedColumn(Difference d, String table, String column, Column mine, Column theirs) {
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
    private void partitionsFollow(Draft draft, String table, List<String> columnKeys) {
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

    // ---- keys, indexes, triggers

    private void constraint(Difference d) {
        Constraint mine = source.constraints().get(d.name());
        Constraint theirs = destination.constraints().get(d.name());
        Constraint any = mine != null ? mine : theirs;
        if (any == null) {
            unreadable(d);
            return;
        }
        Draft draft = new Draft("constraint " + (theirs == null ? "added" : mine == null ? "dropped" : "changed"),
                d.name()).take(d.kind(), d.name());
        if (any.relation() == null) {
            draft.at(Level.MANUAL, "a domain's constraint: apply the same ALTER DOMAIN on the destination by hand");
            draft.done();
            return;
        }
        String table = "ALTER TABLE " + any.relation();
        String name = dev.pgferry.pg.Identifiers.quote(any.name());
        if (mine != null && mine.index() != null) {
            takeIndexTree(draft, mine.index());
        }
        if (theirs != null && theirs.index() != null) {
            takeIndexTree(draft, theirs.index());
        }
        if (any.type().equals("t")) {
            draft.at(Level.MANUAL, "a constraint trigger: create it on the destination by hand");
        } else if (theirs == null) {
            addConstraint(draft, table, name, mine);
        } else if (mine == null) {
            draft.sql(SchemaChange.KEY, table + " DROP CONSTRAINT IF EXISTS " + name)
                    .at(Level.CONFIRM, "dropped on the source: the destination would accept rows it refuses now");
        } else if (theirs.definition().equals(mine.definition() + " NOT VALID")) {
            draft.sql(SchemaChange.KEY, table + " VALIDATE CONSTRAINT " + name)
                    .at(Level.SAFE, "validated on the source: validating it on the destination checks the same rows");
        } else {
            draft.sql(SchemaChange.KEY, table + " DROP CONSTRAINT IF EXISTS " + name);
            addConstraint(draft, table, name, mine);
            draft.at(Level.CONFIRM, "changed on the source: dropped and added again on the destination");
        }
        draft.done();
    }

    /**
     * A check or foreign key goes in NOT VALID (no scan under the lock) and is validated after, as
     * the issue's users asked; on a partitioned table PostgreSQL wants it valid at once. A key or
     * exclusion constraint builds its index.
     */
    private void addConstraint(Draft draft, String table, String name, Constraint mine) {
        Relation relation = source.relations().get(mine.relation());
        boolean partitioned = relation != null && relation.kind().equals("p");
        int stage = mine.type().equals("f") ? SchemaChange.FOREIGN_KEY : SchemaChange.KEY;
        if ((mine.type().equals("c") || mine.type().equals("f")) && !partitioned
                && !mine.definition().endsWith(" NOT VALID")) {
            draft.sql(stage, table + " ADD CONSTRAINT " + name + " " + mine.definition() + " NOT VALID")
                    .sql(stage, table + " VALIDATE CONSTRAINT " + name);
        } else {
            draft.sql(stage, table + " ADD CONSTRAINT " + name + " " + mine.definition());
        }
        draft.at(Level.SAFE, "a new constraint: the destination's rows are the source's, which satisfy it");
    }

    /** An index and, on a partitioned table, the partitions' indexes PostgreSQL makes with it. */
    private void takeIndexTree(Draft draft, String index) {
        draft.take("index", index);
        for (Definitions side : List.of(source, destination)) {
            side.indexes().values().stream().filter(i -> index.equals(i.parentIndex()))
                    .forEach(i -> takeIndexTree(draft, i.key()));
        }
    }

    private void index(Difference d) {
        Index mine = source.indexes().get(d.name());
        Index theirs = destination.indexes().get(d.name());
        Index any = mine != null ? mine : theirs;
        if (any == null) {
            unreadable(d);
            return;
        }
        if (any.parentIndex() != null && open.containsKey(key("index", any.parentIndex()))) {
            return; // goes with its partitioned index
        }
        Draft draft = new Draft("index " + (theirs == null ? "added" : mine == null ? "dropped" : "changed"), d.name());
        takeIndexTree(draft, d.name());
        if (any.ofConstraint()) {
            draft.at(Level.MANUAL, "the index of a key whose constraint is not listed as changed: compare the "
                    + "constraint on both sides and apply it by hand");
        } else if (theirs == null) {
            draft.sql(SchemaChange.INDEX, create(mine)).at(Level.SAFE, "a new index: building it loses nothing "
                    + "(the destination's table is locked against writes while it builds; replication waits)");
        } else if (mine == null) {
            draft.sql(SchemaChange.INDEX, "DROP INDEX IF EXISTS " + d.name())
                    .at(Level.CONFIRM, "dropped on the source: queries on the destination may need it after the switch");
        } else {
            draft.sql(SchemaChange.INDEX, "DROP INDEX IF EXISTS " + d.name()).sql(SchemaChange.INDEX, create(mine))
                    .at(Level.CONFIRM, "changed on the source: dropped and built again on the destination");
        }
        draft.done();
    }

    /** pg_get_indexdef writes ON ONLY for a partitioned table's index; without ONLY, its partitions get theirs. */
    private static String create(Index index) {
        return index.definition().replaceFirst(" ON ONLY ", " ON ");
    }

    private void trigger(Difference d) {
        Trigger mine = source.triggers().get(d.name());
        Trigger theirs = destination.triggers().get(d.name());
        Trigger any = mine != null ? mine : theirs;
        if (any == null) {
            unreadable(d);
            return;
        }
        Draft draft = new Draft("trigger " + (theirs == null ? "added" : mine == null ? "dropped" : "changed"),
                d.name()).take(d.kind(), d.name());
        String drop = "DROP TRIGGER IF EXISTS " + dev.pgferry.pg.Identifiers.quote(any.name()) + " ON " + any.relation();
        if (theirs == null) {
            addTrigger(draft, mine).at(Level.SAFE, "a new trigger: the apply worker does not fire ordinary "
                    + "triggers, so it changes nothing until the switch");
        } else if (mine == null) {
            draft.sql(SchemaChange.TRIGGER, drop).at(Level.CONFIRM, "dropped on the source: the destination's "
                    + "applications would no longer fire it after the switch");
        } else {
            draft.sql(SchemaChange.TRIGGER, drop);
            addTrigger(draft, mine).at(Level.CONFIRM, "changed on the source: dropped and created again");
        }
        draft.done();
    }

    private static Draft addTrigger(Draft draft, Trigger mine) {
        draft.sql(SchemaChange.TRIGGER, mine.definition());
        String state = switch (mine.enabled()) {
            case "D" -> "DISABLE";
            case "R" -> "ENABLE REPLICA";
            case "A" -> "ENABLE ALWAYS";
            default -> null;
        };
        if (state != null) {
            draft.sql(SchemaChange.TRIGGER, "ALTER TABLE " + mine.relation() + " " + state + " TRIGGER "
                    + dev.pgferry.pg.Identifiers.quote(mine.name()));
        }
        return draft;
    }

    /** The indexes (not of keys) and triggers of a new table or materialized view go with it. */
    private void indexesAndTriggersOf(Draft draft, String relation) {
        source.indexes().values().stream().filter(i -> i.relation().equals(relation) && !i.ofConstraint()
                && i.parentIndex() == null).forEach(i -> {
                    draft.take("index", i.key());
                    draft.sql(SchemaChange.INDEX, create(i));
                });
        Relation r = source.relations().get(relation);
        if (r != null && r.partitionOf() != null) {
            // a partition takes its parent's indexes and keys when it is created
            source.indexes().values().stream().filter(i -> i.relation().equals(relation))
                    .forEach(i -> draft.take("index", i.key()));
        }
        source.triggers().values().stream().filter(t -> t.relation().equals(relation)).forEach(t -> {
            draft.take("trigger", t.key());
            addTrigger(draft, t);
        });
    }

    // ---- views, sequences, routines, comments

    private void view(Difference d) {
        Relation mine = source.relations().get(d.name());
        Draft draft = new Draft("view changed", d.name()).take(d.kind(), d.name());
        source.columnsOf(d.name()).forEach(c -> draft.take("column", c.key()));
        destination.columnsOf(d.name()).forEach(c -> draft.take("column", c.key()));
        if (mine != null && mine.kind().equals("v") && d.destination() != null) {
            draft.sql(SchemaChange.VIEW, "CREATE OR REPLACE VIEW " + d.name() + " AS "
                    + stripSemicolon(mine.viewDefinition()))
                    .at(Level.CONFIRM, "its definition changed: replaced on the destination (refused by PostgreSQL if "
                            + "it drops or retypes a column; then drop and create it by hand)");
        } else {
            draft.at(Level.MANUAL, "a materialized view's definition changed: drop and create it on the destination "
                    + "by hand (pgferry refreshes materialized views at cutover)");
        }
        draft.done();
    }

    private void sequence(Difference d) {
        Sequence mine = source.sequences().get(d.name());
        Draft draft = new Draft("sequence changed", d.name()).take(d.kind(), d.name());
        if (mine != null && d.destination() != null) {
            draft.sql(SchemaChange.SEQUENCE, Ddl.alterSequence(mine)).at(Level.CONFIRM, "its options changed "
                    + "(its value is set at cutover)");
        } else {
            draft.at(Level.MANUAL, "a sequence of an identity column that is not listed as changed: compare it on "
                    + "both sides and apply it by hand");
        }
        draft.done();
    }

    private void function(Difference d) {
        Function mine = source.functions().get(d.name());
        Function theirs = destination.functions().get(d.name());
        Function any = mine != null ? mine : theirs;
        if (any == null) {
            unreadable(d);
            return;
        }
        String word = any.kind().equals("p") ? "PROCEDURE" : "FUNCTION";
        Draft draft = new Draft(word.toLowerCase(java.util.Locale.ROOT) + " " + (theirs == null ? "added"
                : mine == null ? "dropped" : "changed"), d.name()).take(d.kind(), d.name());
        if (any.definition() == null) {
            draft.at(Level.MANUAL, "an aggregate or window function: create it on the destination by hand");
        } else if (theirs == null) {
            draft.sql(SchemaChange.ROUTINE, stripSemicolon(mine.definition()))
                    .sql(SchemaChange.GRANT, "ALTER " + word + " " + d.name() + " OWNER TO " + mine.owner());
            Ddl.grants(word + " " + d.name(), mine.acl(), List.of("PUBLIC:EXECUTE"), mine.owner(), true)
                    .forEach(g -> draft.sql(SchemaChange.GRANT, g));
            draft.at(Level.SAFE, "a new " + word.toLowerCase(java.util.Locale.ROOT) + ": creating it loses nothing");
        } else if (mine == null) {
            draft.sql(SchemaChange.ROUTINE, "DROP " + word + " IF EXISTS " + d.name())
                    .at(Level.CONFIRM, "dropped on the source: removed for good from the destination");
        } else {
            if (!Objects.equals(mine.definition(), theirs.definition())) {
                draft.sql(SchemaChange.ROUTINE, stripSemicolon(mine.definition())).at(Level.CONFIRM,
                        "its definition changed: replaced on the destination");
            }
            privileges(draft, word + " " + d.name(), word + " " + d.name(), mine.owner(), theirs.owner(), mine.acl(),
                    theirs.acl(), true);
        }
        commentsOn(draft, d.name());
        draft.done();
    }

    private void comment(Difference d) {
        Comment mine = source.comments().get(d.name());
        Comment theirs = destination.comments().get(d.name());
        Comment any = mine != null ? mine : theirs;
        if (any == null) {
            unreadable(d);
            return;
        }
        Draft draft = new Draft("comment " + (theirs == null ? "added" : mine == null ? "removed" : "changed"),
                d.name()).take(d.kind(), d.name());
        if (any.target() == null) {
            draft.at(Level.MANUAL, "a comment on an object pgferry does not comment on: apply it by hand");
        } else {
            draft.sql(SchemaChange.COMMENT, Ddl.comment(any.target(), mine == null ? null : mine.text()))
                    .at(mine == null ? Level.CONFIRM : Level.SAFE, mine == null ? "removed on the source"
                            : "a comment: text only");
        }
        draft.done();
    }

    /** The comments on a new object (and, for a relation, on its columns) go with it. */
    private void commentsOn(Draft draft, String object) {
        source.comments().values().stream().filter(c -> c.object() != null && c.target() != null
                && (c.object().equals(object) || c.object().startsWith(object + ".")))
                .filter(c -> open.containsKey(key("comment", c.key()))).forEach(c -> {
                    draft.take("comment", c.key());
                    draft.sql(SchemaChange.COMMENT, Ddl.comment(c.target(), c.text()));
                });
    }

    /**
     * Owner and privileges: grants that only add are safe; a revoke or a new owner waits for
     * confirmation (someone loses access).
     */
    private Draft privileges(Draft draft, String grantOn, String alterWhat, String owner, String theirOwner,
            List<String> acl, List<String> theirAcl, boolean existing) {
        if (!owner.equals(theirOwner)) {
            draft.sql(SchemaChange.GRANT, "ALTER " + alterWhat + " OWNER TO " + owner)
                    .at(Level.CONFIRM, "its owner changed to " + owner);
        }
        List<String> statements = Ddl.grants(grantOn, acl, theirAcl, owner, existing);
        statements.forEach(g -> draft.sql(SchemaChange.GRANT, g));
        if (Ddl.revokes(acl, theirAcl, owner)) {
            draft.at(Level.CONFIRM, "privileges were revoked on the source: revoking them on the destination takes "
                    + "access away");
        } else if (!statements.isEmpty()) {
            draft.at(Level.SAFE, "privileges granted on the source: granting the same loses nothing");
        }
        return draft;
    }

    /** A difference whose object's definition was not found (it changed again in between): shown, not applied. */
    private void unreadable(Difference d) {
        new Draft(d.kind() + " changed", d.name()).take(d.kind(), d.name()).at(Level.MANUAL, "its definition could "
                + "not be read on either side (it may have changed again since the comparison; the next one tells)")
                .done();
    }

    private void manual(Difference d) {
        String remedy = switch (d.kind()) {
            case "role" -> "a role differs (roles are the whole server's): apply the same CREATE ROLE or ALTER ROLE "
                    + "on the destination by hand";
            case "extension" -> "an extension differs: install or update it on the destination by hand (it may need "
                    + "the provider's packages)";
            case "policy" -> "a row security policy differs: apply the same CREATE or ALTER POLICY on the "
                    + "destination by hand";
            case "rule" -> "a rule differs: apply the same CREATE RULE on the destination by hand";
            case "default privileges" -> "default privileges differ: apply the same ALTER DEFAULT PRIVILEGES on the "
                    + "destination by hand";
            default -> "a " + d.kind() + " differs: pgferry does not carry that kind over; apply the same DDL on the "
                    + "destination by hand";
        };
        new Draft(d.kind() + " " + (d.destination() == null ? "added" : d.source() == null ? "dropped" : "changed"),
                d.name()).take(d.kind(), d.name()).at(Level.MANUAL, remedy).done();
    }

    private static String stripSemicolon(String sql) {
        String trimmed = sql.strip();
        return trimmed.endsWith(";") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    static Set<String> kindsRead() {
        return Set.of("relation", "column", "constraint", "index", "sequence", "schema", "function", "trigger",
                "comment");
    }
}
