package dev.pgferry.pg;

import java.sql.SQLException;
import java.util.Set;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Reads what a PostgreSQL error means for retrying, and its message without any SQL text. */
public final class PgErrors {

    public static final String UNDEFINED_DATABASE = "3D000";
    public static final String DUPLICATE_OBJECT = "42710";
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String UNDEFINED_TABLE = "42P01";
    public static final String DUPLICATE_DATABASE = "42P04";

    /** Server shutting down, starting up, or too many connections: try again later. */
    private static final Set<String> TRANSIENT = Set.of("57P01", "57P02", "57P03", "53300", "55006", "40001",
            "40P01", "55P03");

    private PgErrors() {
    }

    /**
     * Connection problems (class 08) and the states above pass; anything else needs a fix, and so
     * does a TLS failure (a certificate the CA did not sign, a host name it does not hold): retrying
     * it, or pausing the instance as if it were down, would only hide its reason.
     */
    public static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return (state == null || state.startsWith("08") || TRANSIENT.contains(state)) && !isTls(e);
    }

    /** A TLS handshake or certificate failure (the driver reports those with a connection state). */
    public static boolean isTls(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof javax.net.ssl.SSLException || cause instanceof java.security.cert.CertificateException
                    || cause instanceof java.security.GeneralSecurityException) {
                return true;
            }
            if (isTlsMessage(String.valueOf(cause.getMessage()))) {
                return true;
            }
        }
        return false;
    }

    /** A driver's message about TLS (the checks see only the message of a failed connect). */
    public static boolean isTlsMessage(String message) {
        return message.startsWith("SSL error") || message.contains("could not be verified by hostnameverifier")
                || message.contains("does not support SSL") || message.contains("certificate");
    }

    /** Unwraps Spring's DataAccessException (whose message holds the SQL) to the driver's error. */
    public static String describe(Exception e) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof SQLException)) {
            cause = cause.getCause();
        }
        return cause instanceof SQLException sql ? describe(sql) : e.getClass().getSimpleName();
    }

    /** The server's message with its hint, or the driver's; never the statement. */
    public static String describe(SQLException e) {
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            String text = server.getMessage();
            if (server.getDetail() != null) {
                text += " (" + server.getDetail() + ")";
            }
            if (server.getHint() != null) {
                text += " Hint: " + server.getHint();
            }
            return text;
        }
        return e.getMessage();
    }
}
