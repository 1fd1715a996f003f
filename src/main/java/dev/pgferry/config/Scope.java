package dev.pgferry.config;

import java.util.List;

/**
 * Which schemas and tables of each database a mapping moves: included lists (empty: all) and
 * excluded lists. Tables are "schema.table" ("table" alone means public.table).
 */
public record Scope(List<String> schemas, List<String> excludeSchemas, List<QualifiedName> tables,
        List<QualifiedName> excludeTables) {

    public static final Scope ALL = new Scope(List.of(), List.of(), List.of(), List.of());

    public Scope {
        schemas = List.copyOf(schemas);
        excludeSchemas = List.copyOf(excludeSchemas);
        tables = List.copyOf(tables);
        excludeTables = List.copyOf(excludeTables);
    }

    /** Whether a table (a top-level or partitioned table, by its own name) is moved. */
    public boolean includes(String schema, String table) {
        QualifiedName name = new QualifiedName(schema, table);
        return (schemas.isEmpty() || schemas.contains(schema)) && !excludeSchemas.contains(schema)
                && (tables.isEmpty() || tables.contains(name)) && !excludeTables.contains(name);
    }

    public boolean isAll() {
        return schemas.isEmpty() && excludeSchemas.isEmpty() && tables.isEmpty() && excludeTables.isEmpty();
    }

    /** A schema-qualified table name, as configured (names are taken literally, case included). */
    public record QualifiedName(String schema, String name) {

        static QualifiedName parse(String text) {
            int dot = text.indexOf('.');
            return dot < 0 ? new QualifiedName("public", text)
                    : new QualifiedName(text.substring(0, dot), text.substring(dot + 1));
        }

        @Override
        public String toString() {
            return schema + "." + name;
        }
    }
}
