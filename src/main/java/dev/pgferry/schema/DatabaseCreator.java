package dev.pgferry.schema;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Instance;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.springframework.stereotype.Component;

/** Creates the destination database, with the source's encoding. */
@Component
public class DatabaseCreator {

    private final PgConnector connector;

    public DatabaseCreator(PgConnector connector) {
        this.connector = connector;
    }

    public void create(Instance destination, String database, String encoding) throws ActionException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase());
                Statement s = c.createStatement()) {
            s.execute(createDatabaseSql(database, encoding));
        } catch (SQLException e) {
            if (!PgErrors.DUPLICATE_DATABASE.equals(e.getSQLState())) {
                throw ActionException.from("create database " + database, e);
            }
        }
    }

    /** template0, because the encoding may differ from template1's. */
    static String createDatabaseSql(String database, String encoding) {
        return "CREATE DATABASE " + quote(database) + " TEMPLATE template0"
                + (encoding == null ? "" : " ENCODING " + literal(encoding));
    }
}
