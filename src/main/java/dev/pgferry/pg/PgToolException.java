package dev.pgferry.pg;

/** pg_dump or pg_restore failed; the message carries the tool's own output. */
public class PgToolException extends Exception {

    public PgToolException(String message) {
        super(message);
    }
}
