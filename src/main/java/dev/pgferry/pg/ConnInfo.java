package dev.pgferry.pg;

import dev.pgferry.config.Instance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A libpq connection string (key='value' ...), as CREATE SUBSCRIPTION and pg_dump take it.
 * The password is left out unless asked for: the subscription needs it, tools get it from the
 * environment instead so that it never shows in a process list.
 */
public final class ConnInfo {

    private ConnInfo() {
    }

    public static String of(Instance instance, String database, boolean withPassword) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("host", instance.host());
        parts.put("port", Integer.toString(instance.port()));
        parts.put("dbname", database);
        parts.put("user", instance.user());
        if (withPassword && instance.password().isPresent()) {
            parts.put("password", instance.password().reveal());
        }
        parts.put("sslmode", instance.sslmode());
        parts.put("application_name", "pgferry");
        return parts.entrySet().stream()
                .map(e -> e.getKey() + "=" + value(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** Single-quoted with backslash escapes, as libpq's conninfo parser reads values. */
    static String value(String raw) {
        return "'" + raw.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
