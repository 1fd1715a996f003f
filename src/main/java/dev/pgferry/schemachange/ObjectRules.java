package dev.pgferry.schemachange;

import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Comment;
import dev.pgferry.schemachange.Definitions.Constraint;
import dev.pgferry.schemachange.Definitions.Function;
import dev.pgferry.schemachange.Definitions.Index;
import dev.pgferry.schemachange.Definitions.Relation;
import dev.pgferry.schemachange.Definitions.Sequence;
import dev.pgferry.schemachange.Definitions.Trigger;
import dev.pgferry.schemachange.SchemaChange.Level;
import java.util.List;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The rules for keys, indexes, triggers, views, sequences, routines, comments and privileges, and
 * for the kinds pgferry does not write (manual, with a remedy).
 */
abstract class ObjectRules extends ClassificationState {

    ObjectRules(List<Difference> differences, Definitions source, Definitions destination,
            BiPredicate<String, String> assignable) {
        super(differences, source, destination, assignable);
    }

    // ---- keys, indexes, triggers

    void constraint(Difference d) {
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
    void addConstraint(Draft draft, String table, String name, Constraint mine) {
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
    void takeIndexTree(Draft draft, String index) {
        draft.take("index", index);
        for (Definitions side : List.of(source, destination)) {
            side.indexes().values().stream().filter(i -> index.equals(i.parentIndex()))
                    .forEach(i -> takeIndexTree(draft, i.key()));
        }
    }

    void index(Difference d) {
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
    static String create(Index index) {
        return index.definition().replaceFirst(" ON ONLY ", " ON ");
    }

    void trigger(Difference d) {
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

    static Draft addTrigger(Draft draft, Trigger mine) {
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
    void indexesAndTriggersOf(Draft draft, String relation) {
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

    void view(Difference d) {
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

    void sequence(Difference d) {
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

    void function(Difference d) {
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

    void comment(Difference d) {
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
    void commentsOn(Draft draft, String object) {
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
    Draft privileges(Draft draft, String grantOn, String alterWhat, String owner, String theirOwner,
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
    void unreadable(Difference d) {
        new Draft(d.kind() + " changed", d.name()).take(d.kind(), d.name()).at(Level.MANUAL, "its definition could "
                + "not be read on either side (it may have changed again since the comparison; the next one tells)")
                .done();
    }

    void manual(Difference d) {
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
}
