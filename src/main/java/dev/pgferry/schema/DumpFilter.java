package dev.pgferry.schema;

import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Scope;
import dev.pgferry.monitor.SourceFacts.Relation;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: pg_dump's selection options for a mapping's scope. Names are double-quoted so that
 * pg_dump takes them literally (no case folding, no wildcards). Partitions of a selected table
 * are selected too: pg_dump 15 does not follow --table into partitions.
 */
public final class DumpFilter {

    private DumpFilter() {
    }

    /** {@code relations}: every table and partition of the source database, in scope or not. */
    public static List<String> arguments(Scope scope, List<Relation> relations) {
        List<String> arguments = new ArrayList<>();
        scope.schemas().forEach(s -> arguments.add("--schema=" + quote(s)));
        scope.excludeSchemas().forEach(s -> arguments.add("--exclude-schema=" + quote(s)));
        if (!scope.tables().isEmpty()) {
            relations.stream().filter(r -> scope.includes(r.rootSchema(), r.rootName()))
                    .forEach(r -> arguments.add("--table=" + name(r)));
        }
        relations.stream()
                .filter(r -> scope.excludeTables().contains(new Scope.QualifiedName(r.rootSchema(), r.rootName())))
                .forEach(r -> arguments.add("--exclude-table=" + name(r)));
        return arguments;
    }

    private static String name(Relation r) {
        return quote(r.schema()) + "." + quote(r.name());
    }
}
