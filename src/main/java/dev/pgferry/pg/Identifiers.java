package dev.pgferry.pg;

/**
 * Quoting for the few places where SQL must carry names or text that cannot be bound as
 * parameters (DDL). Every identifier is quoted, whatever it looks like.
 */
public final class Identifiers {

    private Identifiers() {
    }

    /** "name" with embedded double quotes doubled: safe for capitals, spaces, unicode, reserved words. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an SQL identifier must not be empty");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL identifier must not contain a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** schema.table, both quoted. */
    public static String qualified(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    /** A string literal that reads the same whatever standard_conforming_strings is. */
    public static String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL literal must not contain a NUL character");
        }
        String doubled = text.replace("'", "''");
        if (text.indexOf('\\') >= 0) {
            return "E'" + doubled.replace("\\", "\\\\") + "'";
        }
        return "'" + doubled + "'";
    }
}
