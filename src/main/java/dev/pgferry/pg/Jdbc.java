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
}
