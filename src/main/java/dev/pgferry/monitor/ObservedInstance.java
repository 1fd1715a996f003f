package dev.pgferry.monitor;

import java.util.Map;
import java.util.Set;

/**
 * What one tick saw of a whole server: its databases, server-wide facts, and on a destination
 * pgferry's markers ("mapping/database" completions, started mappings) from its control schema.
 * {@code error} is set (and the rest empty) when the server could not be reached.
 */
public record ObservedInstance(String name, String error, ServerFacts facts, Map<String, DatabaseInfo> databases,
        Set<String> completions, Set<String> startedMappings, String controlSchemaError) {

    public ObservedInstance(String name, String error, ServerFacts facts, Map<String, DatabaseInfo> databases,
            Set<String> completions, Set<String> startedMappings) {
        this(name, error, facts, databases, completions, startedMappings, null);
    }

    public static ObservedInstance unreachable(String name, String error) {
        return new ObservedInstance(name, error, null, Map.of(), Set.of(), Set.of());
    }

    public boolean reachable() {
        return error == null;
    }

    public int serverMajor() {
        return facts == null ? 0 : facts.major();
    }

    public boolean completed(String mapping, String database) {
        return completions.contains(completionKey(mapping, database));
    }

    public static String completionKey(String mapping, String database) {
        return mapping + "/" + database;
    }
}
