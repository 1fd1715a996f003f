package dev.pgferry.schemachange;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The objects of one side of a database, read from its catalogs in the form DDL is written from
 * (names as they are, definitions from pg_get_*def), each keyed by the name the fingerprint
 * query gives the object, so a difference found there leads to its definition here. Read only
 * when the schemas differ.
 */
record Definitions(Map<String, Relation> relations, Map<String, Column> columns,
        Map<String, Constraint> constraints, Map<String, Index> indexes, Map<String, Sequence> sequences,
        Map<String, Schema> schemas, Map<String, Function> functions, Map<String, Trigger> triggers,
        Map<String, Comment> comments) {

    static final Definitions NONE = new Definitions(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
            Map.of(), Map.of(), Map.of());

    static <T> Map<String, T> byKey(List<T> items, java.util.function.Function<T, String> key) {
        return items.stream().collect(Collectors.toUnmodifiableMap(key, t -> t, (a, b) -> a));
    }

    /** The columns of one relation, in their order. */
    List<Column> columnsOf(String relation) {
        return columns.values().stream().filter(c -> c.relation().equals(relation))
                .sorted(java.util.Comparator.comparingInt(Column::position)).toList();
    }

    /**
     * A table, view, materialized view, sequence or foreign table. {@code acl}: grantee:PRIVILEGE
     * items as the fingerprint renders them (grantee quoted or PUBLIC, '*' when grantable).
     */
    record Relation(String key, String schema, String name, String kind, String persistence, String replicaIdentity,
            String owner,
            List<String> acl, String partitionOf, String bound, String partitionKey, String viewDefinition) {

        boolean table() {
            return kind.equals("r") || kind.equals("p");
        }
    }

    /**
     * A column. {@code missing}: the value rows that existed when it was added with a default
     * read (PostgreSQL keeps it instead of rewriting the table), as text; null when none.
     */
    record Column(String key, String relation, String name, int position, String type, String baseType,
            boolean notNull, String defaultExpression, String identity, String generated, String missing,
            String collation) {
    }

    /** A constraint; {@code relation} is null for a domain's. {@code index}: the key of the index it made, if any. */
    record Constraint(String key, String relation, String name, String type, String definition, boolean validated,
            String index) {
    }

    /** An index; {@code parentIndex}: the partitioned index it is a partition of, if any. */
    record Index(String key, String relation, String definition, boolean ofConstraint, String parentIndex) {
    }

    /** A sequence; {@code ownedBy}: the column key it belongs to, {@code identity} when it is that column's identity. */
    record Sequence(String key, String type, long start, long increment, long min, long max, long cache,
            boolean cycle, String ownedBy, boolean identity) {
    }

    record Schema(String key, String name, String owner, List<String> acl) {
    }

    /** A function or procedure; {@code definition}: pg_get_functiondef's CREATE OR REPLACE, null for an aggregate. */
    record Function(String key, String kind, String definition, String owner, List<String> acl) {
    }

    record Trigger(String key, String relation, String name, String definition, String enabled) {
    }

    /**
     * A comment, keyed as the fingerprint describes its object; {@code target} the object in
     * COMMENT ON's words ("TABLE public.t", "COLUMN public.t.c"), null when pgferry does not
     * write that kind; {@code object} the key of the commented object when it is a relation,
     * column or schema.
     */
    record Comment(String key, String target, String object, String text) {
    }
}
