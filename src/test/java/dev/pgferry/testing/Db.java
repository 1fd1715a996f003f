package dev.pgferry.testing;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** Direct SQL on a test server, for setting up and for checking what pgferry did. */
public final class Db {

    private Db() {
    }

    public static Connection connect(EmbeddedPostgres server, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", server.superuser());
        props.setProperty("password", server.password());
        return DriverManager.getConnection(server.jdbcUrl(database), props);
    }

    /** A new database holding the demo's shop schema (5 tables, one partitioned) with that many rows per table. */
    public static void sampleDatabase(EmbeddedPostgres server, String database, int rows) {
        execute(server, "postgres", "CREATE DATABASE " + database);
        try (Connection c = connect(server, database)) {
            dev.pgferry.demo.SampleSchema.create(c, rows);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs statements in autocommit mode (CREATE DATABASE included). */
    public static void execute(EmbeddedPostgres server, String database, String... statements) {
        try (Connection c = connect(server, database); var s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T query(EmbeddedPostgres server, String database, Class<T> type, String sql, Object... params) {
        try (Connection c = connect(server, database)) {
            return JdbcClient.create(new SingleConnectionDataSource(c, true)).sql(sql).params(params)
                    .query(type).single();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> List<T> list(EmbeddedPostgres server, String database, Class<T> type, String sql,
            Object... params) {
        try (Connection c = connect(server, database)) {
            return JdbcClient.create(new SingleConnectionDataSource(c, true)).sql(sql).params(params)
                    .query(type).list();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Row count and a content digest of a table, in an order independent of storage. */
    public static String fingerprint(EmbeddedPostgres server, String database, String qualifiedTable) {
        return query(server, database, String.class, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
                + "ORDER BY t::text)), '') FROM " + qualifiedTable + " t");
    }

    /**
     * pgferry's slots and subscriptions of one mapping on a server, and any table-sync slot left
     * behind, for leftover checks.
     */
    public static List<String> pgferryObjects(EmbeddedPostgres server, String mapping) {
        String prefix = "pgferry\\_" + mapping + "\\_%";
        return list(server, "postgres", String.class, """
                SELECT 'slot ' || slot_name FROM pg_replication_slots WHERE slot_name LIKE ?
                   OR slot_name LIKE 'pg\\_%\\_sync\\_%'
                UNION ALL SELECT 'subscription ' || subname FROM pg_subscription WHERE subname LIKE ?""",
                prefix, prefix);
    }

    public static List<String> publications(EmbeddedPostgres server, String database) {
        return list(server, database, String.class,
                "SELECT pubname::text FROM pg_publication WHERE pubname LIKE 'pgferry\\_%'");
    }
}
