package dev.pgferry.schemachange;

import dev.pgferry.replication.PublishedTable;
import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Column;
import dev.pgferry.schemachange.Definitions.Constraint;
import dev.pgferry.schemachange.Definitions.Relation;
import dev.pgferry.schemachange.Definitions.Schema;
import dev.pgferry.schemachange.Definitions.Sequence;
import dev.pgferry.schemachange.SchemaChange.Level;
import java.util.List;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The rules for schemas and relations: a new table goes with its columns, keys, indexes,
 * triggers, comments and owned sequences (and is published when it has a key); a dropped one with
 * everything of it; a changed one by its owner and privileges.
 */
abstract class RelationRules extends ColumnRules {

    RelationRules(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        super(differences, source, destination, assignable);
    }

    // ---- schemas

    void schema(Difference d) {
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

    void relation(Difference d) {
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

    void added(Difference d, Relation mine) {
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
    void addedTable(Draft draft, Relation mine) {
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

    void dropped(Difference d, Relation theirs) {
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
}
