package dev.pgferry.cutover;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.quote;

/**
 * One setting that "freeze" changes on the source, with the value it had before, and the SQL
 * that makes and undoes the change. {@code previous} is null for a database without its own
 * default_transaction_read_only.
 */
public record FreezeChange(Kind kind, String target, String previous) {

    public enum Kind {
        /** a login role that may use a database of the mapping: NOLOGIN while frozen */
        ROLE_LOGIN("role-login"),
        /** a database of the mapping: default_transaction_read_only = on while frozen */
        DATABASE_READ_ONLY("database-read-only");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown freeze change kind " + label);
        }
    }

    public static FreezeChange roleLogin(String role) {
        return new FreezeChange(Kind.ROLE_LOGIN, role, "true");
    }

    public static FreezeChange databaseReadOnly(String database, String previous) {
        return new FreezeChange(Kind.DATABASE_READ_ONLY, database, previous);
    }

    /** The statement that freezes. */
    public String freezeSql() {
        return switch (kind) {
            case ROLE_LOGIN -> "ALTER ROLE " + quote(target) + " NOLOGIN";
            case DATABASE_READ_ONLY -> "ALTER DATABASE " + quote(target) + " SET default_transaction_read_only = on";
        };
    }

    /** The statement that puts back exactly what was there before. */
    public String restoreSql() {
        return switch (kind) {
            case ROLE_LOGIN -> "ALTER ROLE " + quote(target) + ("true".equals(previous) ? " LOGIN" : " NOLOGIN");
            case DATABASE_READ_ONLY -> previous == null
                    ? "ALTER DATABASE " + quote(target) + " RESET default_transaction_read_only"
                    : "ALTER DATABASE " + quote(target) + " SET default_transaction_read_only = " + literal(previous);
        };
    }

    /** The catalog query telling whether the target still exists (one bound parameter: the name). */
    String existsSql() {
        return switch (kind) {
            case ROLE_LOGIN -> "SELECT count(*) FROM pg_roles WHERE rolname = ?";
            case DATABASE_READ_ONLY -> "SELECT count(*) FROM pg_database WHERE datname = ?";
        };
    }
}
