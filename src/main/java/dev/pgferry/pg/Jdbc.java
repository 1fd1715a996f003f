package dev.pgferry.pg;

import java.sql.Connection;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** JdbcClient over one open connection that the caller closes (one connection per tick and side). */
public final class Jdbc {

    private Jdbc() {
    }

    public static JdbcClient over(Connection connection) {
        return JdbcClient.create(new SingleConnectionDataSource(connection, true));
    }

    /** Runs the statements in order in one transaction on the connection: all or none. */
    public static void inOneTransaction(Connection connection, java.util.List<String> statements)
            throws java.sql.SQLException {
        connection.setAutoCommit(false);
        try (java.sql.Statement s = connection.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
            connection.commit();
        } catch (java.sql.SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
