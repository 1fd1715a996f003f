package dev.pgferry.monitor;

import java.util.Map;
import java.util.Set;

/**
 * What one tick saw of a whole server: its databases (name -> encoding) and, on a destination,
 * the completion markers "mapping/database" from pgferry's control schema. {@code error} is set
 * (and the rest empty) when the server could not be reached.
 */
public record ObservedInstance(String name, int serverMajor, Map<String, String> databases,
        Set<String> completions, String error) {

    public static ObservedInstance unreachable(String name, String error) {
        return new ObservedInstance(name, 0, Map.of(), Set.of(), error);
    }

    public boolean reachable() {
        return error == null;
    }

    public boolean completed(String mapping, String database) {
        return completions.contains(completionKey(mapping, database));
    }

    public static String completionKey(String mapping, String database) {
        return mapping + "/" + database;
    }
}
