package dev.pgferry.schema;

import static dev.pgferry.pg.Identifiers.literal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a stored setting ("name=value" from pg_db_role_setting) back into SQL, as pg_dump does:
 * list settings such as search_path are split into elements, each a literal, so that
 * {@code "$user", public} keeps its meaning; any other value is one literal.
 */
final class GucValue {

    /** Settings whose value is a list of names (GUC_LIST_QUOTE in the server). */
    private static final Set<String> LIST_SETTINGS = Set.of("search_path", "temp_tablespaces",
            "session_preload_libraries", "local_preload_libraries", "shared_preload_libraries",
            "unix_socket_directories", "debug_io_direct", "oauth_validator_libraries");

    private GucValue() {
    }

    /** "name = value" for SET, from "name=value". */
    static String assignment(String stored) {
        int equals = stored.indexOf('=');
        String name = stored.substring(0, equals);
        String value = stored.substring(equals + 1);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new IllegalArgumentException("unexpected setting name: " + name);
        }
        if (!LIST_SETTINGS.contains(name.toLowerCase())) {
            return name + " = " + literal(value);
        }
        List<String> elements = new ArrayList<>();
        for (String element : split(value)) {
            elements.add(literal(element));
        }
        return name + " = " + (elements.isEmpty() ? "''" : String.join(", ", elements));
    }

    /** Splits on commas outside double quotes, removing the quotes (doubled quotes stand for one). */
    static List<String> split(String value) {
        List<String> elements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    current.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                elements.add(current.toString().strip());
                current.setLength(0);
            } else if (!Character.isWhitespace(c) || quoted || !current.isEmpty()) {
                current.append(c);
            }
        }
        if (!current.toString().isBlank() || !elements.isEmpty()) {
            elements.add(current.toString().strip());
        }
        return elements;
    }
}
