package dev.pgferry.schemachange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.replication.PublishedTable;
import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schemachange.Definitions.Column;
import dev.pgferry.schemachange.Definitions.Comment;
import dev.pgferry.schemachange.Definitions.Constraint;
import dev.pgferry.schemachange.Definitions.Index;
import dev.pgferry.schemachange.Definitions.Relation;
import dev.pgferry.schemachange.Definitions.Sequence;
import dev.pgferry.schemachange.SchemaChange.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classification of differences into changes: level, exact SQL, what goes together. */
class ChangeClassifierTest {

    private static final String T = "public.\"Order Items\"";

    private static Relation table(String key, String schema, String name, String kind) {
        return new Relation(key, schema, name, kind, "p", "d", "app", List.of("app:SELECT"), null, null, null, null);
    }

    private static Column column(String table, String name, int position, String type, boolean notNull,
            String defaultExpression, String missing) {
        String quoted = name.matches("[a-z_][a-z0-9_]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
        return new Column(table + "." + quoted, table, name, position, type, type.replaceAll("\\(.*\\)", ""), notNull,
                defaultExpression, "", "", missing, null);
    }

    /** Definitions with these relations, columns and constraints (and nothing else). */
    private static Definitions side(List<Relation> relations, List<Column> columns, List<Constraint> constraints,
            List<Index> indexes, List<Sequence> sequences, List<Comment> comments) {
        return new Definitions(Definitions.byKey(relations, Relation::key), Definitions.byKey(columns, Column::key),
                Definitions.byKey(constraints, Constraint::key), Definitions.byKey(indexes, Index::key),
                Definitions.byKey(sequences, Sequence::key), Map.of(), Map.of(), Map.of(),
                Definitions.byKey(comments, Comment::key));
    }

    private static Definitions tableWith(Column... columns) {
        return side(List.of(table(T, "public", "Order Items", "r")), List.of(columns), List.of(), List.of(), List.of(),
                List.of());
    }

    private static List<SchemaChange> classify(List<Difference> differences, Definitions source,
            Definitions destination) {
        return ChangeClassifier.classify(differences, source, destination, (from, to) -> from.equals("integer")
                && to.equals("bigint"));
    }

    private static Difference added(String kind, String name) {
        return new Difference(kind, name, "def", null);
    }

    @Test
    void aNewColumnWithoutDefaultIsAddedAsItIs() {
        Column c = column(T, "note's \"x\"", 3, "text", false, null, null);
        List<SchemaChange> changes = classify(List.of(added("column", c.key())), tableWith(c), tableWith());
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.level()).isEqualTo(Level.SAFE);
            assertThat(change.what()).isEqualTo("column added");
            assertThat(change.sql()).isEqualTo("ALTER TABLE public.\"Order Items\" ADD COLUMN IF NOT EXISTS "
                    + "\"note's \"\"x\"\"\" text;");
            assertThat(change.publish()).isEmpty();
        });
    }

    @Test
    void aNewColumnWithADefaultGivesTheExistingRowsTheValueTheSourceKept() {
        Column c = column(T, "added_at", 3, "timestamp with time zone", true, "now()", "2026-12-02 03:05:12+00");
        SchemaChange change = classify(List.of(added("column", c.key())), tableWith(c), tableWith()).getFirst();
        assertThat(change.level()).isEqualTo(Level.SAFE);
        assertThat(change.sql()).isEqualTo("""
                ALTER TABLE public."Order Items" ADD COLUMN IF NOT EXISTS "added_at" timestamp with time zone DEFAULT \
                '2026-12-02 03:05:12+00'::timestamp with time zone NOT NULL;
                ALTER TABLE public."Order Items" ALTER COLUMN "added_at" SET DEFAULT now();""");
    }

    @Test
    void aPartitionedTablesNewColumnTakesTheValueItsPartitionsKeptAndTheirDifferencesGoWithIt() {
        String parent = "ledger.entries";
        String partition = "ledger.entries_2026";
        Relation p = table(parent, "ledger", "entries", "p");
        Relation leaf = new Relation(partition, "ledger", "entries_2026", "r", "p", "d", "app", List.of(), parent,
                "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')", null, null);
        Column onParent = column(parent, "note", 4, "text", false, "'n/a'::text", null);
        Column onLeaf = column(partition, "note", 4, "text", false, "'n/a'::text", "n/a");
        Definitions source = side(List.of(p, leaf), List.of(onParent, onLeaf), List.of(), List.of(), List.of(),
                List.of());
        Definitions destination = side(List.of(p, leaf), List.of(), List.of(), List.of(), List.of(), List.of());
        List<SchemaChange> changes = classify(List.of(added("column", onParent.key()), added("column", onLeaf.key())),
                source, destination);
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.level()).isEqualTo(Level.SAFE);
            assertThat(change.covers()).hasSize(2);
            assertThat(change.sql()).startsWith("ALTER TABLE ledger.entries ADD COLUMN IF NOT EXISTS \"note\" text "
                    + "DEFAULT 'n/a'::text;");
        });
    }

    @Test
    void aDefaultWithoutAKeptValueMayHaveBeenComputedPerRowSoItWaitsForConfirmation() {
        Column c = column(T, "token", 3, "double precision", false, "random()", null);
        SchemaChange change = classify(List.of(added("column", c.key())), tableWith(c), tableWith()).getFirst();
        assertThat(change.level()).isEqualTo(Level.CONFIRM);
        assertThat(change.why()).contains("volatile");
    }

    @Test
    void aNewIdentityColumnIsManual() {
        Column c = new Column(T + ".n", T, "n", 3, "bigint", "bigint", true, null, "a", "", null, null);
        SchemaChange change = classify(List.of(added("column", c.key())), tableWith(c), tableWith()).getFirst();
        assertThat(change.level()).isEqualTo(Level.MANUAL);
        assertThat(change.statements()).isEmpty();
    }

    @Test
    void newColumnsOfSeveralChangesAreAddedInTheSourcesOrder() {
        Column b = column(T, "b", 5, "text", false, null, null);
        Column a = column(T, "\"A\"", 4, "text", false, null, null);
        List<SchemaChange> changes = classify(List.of(added("column", a.key()), added("column", b.key())),
                tableWith(a, b), tableWith());
        List<SchemaChange.Statement> all = new ArrayList<>();
        changes.forEach(c -> all.addAll(c.statements()));
        all.sort(SchemaChange.Statement.ORDER);
        assertThat(all.getFirst().sql()).contains("ADD COLUMN IF NOT EXISTS \"\"\"A\"\"\"");
    }

    @Test
    void aDroppedColumnWaitsForConfirmationWithItsStatement() {
        Column c = column(T, "legacy", 3, "text", false, null, null);
        SchemaChange change = classify(List.of(new Difference("column", c.key(), null, "text")), tableWith(),
                tableWith(c)).getFirst();
        assertThat(change.level()).isEqualTo(Level.CONFIRM);
        assertThat(change.sql()).isEqualTo("ALTER TABLE public.\"Order Items\" DROP COLUMN IF EXISTS legacy;");
    }

    @Test
    void aColumnGoneAndOneAlikeAddedIsARename() {
        Column before = column(T, "qty", 3, "integer", true, null, null);
        Column after = column(T, "quantity", 3, "integer", true, null, null);
        List<SchemaChange> changes = classify(List.of(new Difference("column", before.key(), null, "integer not null"),
                new Difference("column", after.key(), "integer not null", null)), tableWith(after), tableWith(before));
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.level()).isEqualTo(Level.CONFIRM);
            assertThat(change.sql()).isEqualTo("ALTER TABLE public.\"Order Items\" RENAME COLUMN qty TO quantity;");
            assertThat(change.covers()).hasSize(2);
        });
    }

    @Test
    void aTypePostgresqlCastsWaitsForConfirmationAndOneItCannotIsManualWithTheRemedy() {
        Column wide = column(T, "n", 3, "bigint", false, null, null);
        Column narrow = column(T, "n", 3, "integer", false, null, null);
        Difference changed = new Difference("column", wide.key(), "bigint", "integer");
        SchemaChange cast = classify(List.of(changed), tableWith(wide), tableWith(narrow)).getFirst();
        assertThat(cast.level()).isEqualTo(Level.CONFIRM);
        assertThat(cast.sql()).isEqualTo("ALTER TABLE public.\"Order Items\" ALTER COLUMN n TYPE bigint;");

        Column text = column(T, "n", 3, "text", false, null, null);
        SchemaChange manual = classify(List.of(new Difference("column", wide.key(), "bigint", "text")), tableWith(wide),
                tableWith(text)).getFirst();
        assertThat(manual.level()).isEqualTo(Level.MANUAL);
        assertThat(manual.statements()).isEmpty();
        assertThat(manual.why()).contains("ALTER TABLE public.\"Order Items\" ALTER COLUMN n TYPE bigint USING");
    }

    @Test
    void aNewTableGoesWithItsColumnsKeyIndexSequenceAndCommentAndIsPublished() {
        String t = "sales.\"Coupons\"";
        Relation table = table(t, "sales", "Coupons", "r");
        Column id = column(t, "id", 1, "integer", true, "nextval('sales.\"Coupons_id_seq\"'::regclass)", null);
        Column code = column(t, "code", 2, "text", true, null, null);
        Relation sequenceRelation = table("sales.\"Coupons_id_seq\"", "sales", "Coupons_id_seq", "S");
        Sequence sequence = new Sequence("sales.\"Coupons_id_seq\"", "integer", 1, 1, 1, 2147483647, 1, false,
                t + ".id", false);
        Constraint key = new Constraint("sales.\"Coupons\".\"Coupons_pkey\"", t, "Coupons_pkey", "p", "PRIMARY KEY (id)",
                true, "sales.\"Coupons_pkey\"");
        Index keyIndex = new Index("sales.\"Coupons_pkey\"", t, "CREATE UNIQUE INDEX ...", true, null);
        Index byCode = new Index("sales.coupons_code", t, "CREATE INDEX coupons_code ON sales.\"Coupons\" USING btree (code)",
                false, null);
        Comment comment = new Comment("table sales.\"Coupons\"", "TABLE sales.\"Coupons\"", t, "it's new");
        Definitions source = side(List.of(new Relation(t, "sales", "Coupons", "r", "p", "d", "app",
                        List.of("app:SELECT", "reporter:SELECT"), null, null, null, null), sequenceRelation),
                List.of(id, code), List.of(key), List.of(keyIndex, byCode), List.of(sequence), List.of(comment));
        List<Difference> differences = List.of(added("column", id.key()), added("column", code.key()),
                added("comment", comment.key()), added("constraint", key.key()), added("index", keyIndex.key()),
                added("index", byCode.key()), added("relation S", sequenceRelation.key()),
                added("relation r", table.key()), added("sequence", sequence.key()));
        List<SchemaChange> changes = classify(differences, source, Definitions.NONE);
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.level()).isEqualTo(Level.SAFE);
            assertThat(change.what()).isEqualTo("table added");
            assertThat(change.covers()).hasSize(differences.size());
            assertThat(change.publish()).containsExactly(new PublishedTable("sales", "Coupons"));
            assertThat(change.refresh()).isTrue();
            assertThat(change.sql()).isEqualTo("""
                    CREATE SEQUENCE sales."Coupons_id_seq" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 \
                    START WITH 1 CACHE 1 NO CYCLE;
                    CREATE TABLE sales."Coupons" ("id" integer DEFAULT nextval('sales."Coupons_id_seq"'::regclass) NOT NULL, \
                    "code" text NOT NULL);
                    ALTER SEQUENCE sales."Coupons_id_seq" OWNED BY sales."Coupons".id;
                    ALTER TABLE sales."Coupons" ADD CONSTRAINT "Coupons_pkey" PRIMARY KEY (id);
                    CREATE INDEX coupons_code ON sales."Coupons" USING btree (code);
                    COMMENT ON TABLE sales."Coupons" IS 'it''s new';
                    ALTER SEQUENCE sales."Coupons_id_seq" OWNER TO app;
                    ALTER TABLE sales."Coupons" OWNER TO app;
                    GRANT SELECT ON TABLE sales."Coupons" TO reporter;""");
        });
    }

    @Test
    void aNewTableWithoutAKeyIsNotPublishedButManual() {
        Relation table = table("public.log", "public", "log", "r");
        Column line = column("public.log", "line", 1, "text", false, null, null);
        SchemaChange change = classify(List.of(added("relation r", table.key()), added("column", line.key())),
                side(List.of(table), List.of(line), List.of(), List.of(), List.of(), List.of()), Definitions.NONE)
                .getFirst();
        assertThat(change.level()).isEqualTo(Level.MANUAL);
        assertThat(change.publish()).isEmpty();
        assertThat(change.why()).contains("UPDATE and DELETE on it would fail");
    }

    @Test
    void aNewCheckIsAddedNotValidThenValidatedAndAValidationOnTheSourceIsSafe() {
        Constraint check = new Constraint(T + ".positive", T, "positive", "c", "CHECK ((quantity > 0))", true, null);
        Definitions source = side(List.of(table(T, "public", "Order Items", "r")), List.of(), List.of(check), List.of(),
                List.of(), List.of());
        SchemaChange change = classify(List.of(added("constraint", check.key())), source, tableWith()).getFirst();
        assertThat(change.level()).isEqualTo(Level.SAFE);
        assertThat(change.sql()).isEqualTo("""
                ALTER TABLE public."Order Items" ADD CONSTRAINT "positive" CHECK ((quantity > 0)) NOT VALID;
                ALTER TABLE public."Order Items" VALIDATE CONSTRAINT "positive";""");

        Constraint unvalidated = new Constraint(check.key(), T, "positive", "c", "CHECK ((quantity > 0)) NOT VALID",
                false, null);
        Definitions destination = side(List.of(table(T, "public", "Order Items", "r")), List.of(), List.of(unvalidated),
                List.of(), List.of(), List.of());
        SchemaChange validate = classify(List.of(new Difference("constraint", check.key(), "CHECK ((quantity > 0))",
                "CHECK ((quantity > 0)) NOT VALID")), source, destination).getFirst();
        assertThat(validate.level()).isEqualTo(Level.SAFE);
        assertThat(validate.sql()).isEqualTo("ALTER TABLE public.\"Order Items\" VALIDATE CONSTRAINT \"positive\";");
    }

    @Test
    void anIndexOnAPartitionedTableIsBuiltOnceWithItsPartitions() {
        Index parent = new Index("public.events_kind", "public.events",
                "CREATE INDEX events_kind ON ONLY public.events USING btree (kind)", false, null);
        Index child = new Index("public.events_2026_kind_idx", "public.events_2026",
                "CREATE INDEX events_2026_kind_idx ON public.events_2026 USING btree (kind)", false, parent.key());
        Definitions source = side(List.of(), List.of(), List.of(), List.of(parent, child), List.of(), List.of());
        List<SchemaChange> changes = classify(List.of(added("index", child.key()), added("index", parent.key())), source,
                Definitions.NONE);
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.sql()).isEqualTo("CREATE INDEX events_kind ON public.events USING btree (kind);");
            assertThat(change.covers()).hasSize(2);
        });
    }

    @Test
    void grantsAreSafeAndRevokesWaitForConfirmation() {
        Relation before = table(T, "public", "Order Items", "r");
        Relation granted = new Relation(T, "public", "Order Items", "r", "p", "d", "app",
                List.of("app:SELECT", "\"Report Ü\":SELECT"), null, null, null, null);
        SchemaChange grant = classify(List.of(new Difference("relation r", T, "a", "b")),
                side(List.of(granted), List.of(), List.of(), List.of(), List.of(), List.of()),
                side(List.of(before), List.of(), List.of(), List.of(), List.of(), List.of())).getFirst();
        assertThat(grant.level()).isEqualTo(Level.SAFE);
        assertThat(grant.sql()).isEqualTo("GRANT SELECT ON TABLE public.\"Order Items\" TO \"Report Ü\";");

        SchemaChange revoke = classify(List.of(new Difference("relation r", T, "b", "a")),
                side(List.of(before), List.of(), List.of(), List.of(), List.of(), List.of()),
                side(List.of(granted), List.of(), List.of(), List.of(), List.of(), List.of())).getFirst();
        assertThat(revoke.level()).isEqualTo(Level.CONFIRM);
        assertThat(revoke.sql()).isEqualTo("REVOKE SELECT ON TABLE public.\"Order Items\" FROM \"Report Ü\";");
    }

    @Test
    void kindsPgferryDoesNotWriteAreManualWithARemedy() {
        SchemaChange policy = classify(List.of(added("policy", T + ".own_rows")), Definitions.NONE, Definitions.NONE)
                .getFirst();
        assertThat(policy.level()).isEqualTo(Level.MANUAL);
        assertThat(policy.why()).contains("CREATE or ALTER POLICY");
    }

    @Test
    void theIdNamesTheSameDifferencesAndChangesWithThem() {
        Column c = column(T, "note", 3, "text", false, null, null);
        String first = classify(List.of(added("column", c.key())), tableWith(c), tableWith()).getFirst().id();
        String again = classify(List.of(added("column", c.key())), tableWith(c), tableWith()).getFirst().id();
        String other = classify(List.of(new Difference("column", c.key(), "varchar", null)), tableWith(c), tableWith())
                .getFirst().id();
        assertThat(first).isEqualTo(again).hasSize(12).isNotEqualTo(other);
    }
}
