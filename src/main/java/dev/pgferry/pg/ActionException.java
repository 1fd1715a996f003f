package dev.pgferry.pg;

import java.sql.SQLException;

/**
 * An action could not finish. Transient ones (connection lost, server restarting) are simply
 * retried on the next tick; the others are shown with the server's message until fixed.
 */
public class ActionException extends Exception {

    private final boolean transientFailure;

    public ActionException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    /** Keeps the server's message but never the statement, which may hold a password. */
    public static ActionException from(String what, SQLException e) {
        return new ActionException(what + ": " + PgErrors.describe(e), PgErrors.isTransient(e));
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
