package dev.pgferry.schema;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.ownership.OwnershipRecords;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Creates the destination database with the source's encoding and locale, records it as
 * pgferry's, and later configures or drops it: only while pgferry's record names it.
 */
@Component
public class DatabaseCreator {

    private final PgConnector connector;
    private final OwnershipRecords ownership;

    public DatabaseCreator(PgConnector connector, OwnershipRecords ownership) {
        this.connector = connector;
        this.ownership = ownership;
    }

    /**
     * Records that pgferry is creating the database, creates it, then records its OID. A name
     * taken meanwhile by someone else's database is left alone (its intent record is withdrawn),
     * never adopted.
     */
    public void create(Mapping mapping, String database, DatabaseInfo source) throws ActionException {
        Instance destination = mapping.destination();
        try {
            ownership.recordCreating(destination, mapping.name(), database);
        } catch (SQLException e) {
            throw ActionException.from("record that pgferry creates database " + database, e);
        }
        try (Connection c = connector.act(destination, destination.maintenanceDatabase());
                Statement s = c.createStatement()) {
            s.execute(createDatabaseSql(database, source));
        } catch (SQLException e) {
            if (PgErrors.DUPLICATE_DATABASE.equals(e.getSQLState())) {
                forget(mapping, database);
                throw new ActionException("create database " + database + ": a database of that name was created on "
                        + "destination " + destination.name() + " by someone else meanwhile; pgferry leaves it alone",
                        false);
            }
            throw ActionException.from("create database " + database, e);
        }
        try {
            ownership.recordCreated(destination, mapping.name(), database);
        } catch (SQLException e) {
            // the intent record stands: the next tick claims the database while it is still empty
            throw ActionException.from("record the database " + database + " pgferry created", e);
        }
    }

    private void forget(Mapping mapping, String database) throws ActionException {
        try {
            ownership.forgetCreating(mapping.destination(), mapping.name(), database);
        } catch (SQLException e) {
            throw ActionException.from("withdraw the record of creating " + database, e);
        }
    }

    /**
     * Drops the partial destination database of an interrupted snapshot copy: only one pgferry
     * recorded as its own (checked now, on the same connection), and only without a subscription
     * (PostgreSQL itself refuses to drop a database that holds one). Its sessions (a dead copy's)
     * are ended with it.
     */
    public void dropPartialCopy(Mapping mapping, String database) throws ActionException {
        Instance destination = mapping.destination();
        try (Connection c = connector.act(destination, destination.maintenanceDatabase());
                Statement s = c.createStatement()) {
            OwnershipRecords.requireOwned(c, mapping.name(), database, "drop the partial copy " + database);
            s.execute("DROP DATABASE IF EXISTS " + quote(database) + " WITH (FORCE)");
            dev.pgferry.audit.ControlRecords.forgetSnapshotCopy(c, mapping.name(), database);
        } catch (SQLException e) {
            throw ActionException.from("drop the partial copy " + database, e);
        }
    }

    /**
     * Gives the destination database the source's owner, privileges, settings and per-role
     * settings. Idempotent: settings and privileges are reset, then set as on the source. Only a
     * database pgferry recorded as its own: revoking and resetting would lock others out of theirs.
     */
    public void configure(Mapping mapping, String database, DatabaseInfo source) throws ActionException {
        Instance destination = mapping.destination();
        try (Connection c = connector.act(destination, destination.maintenanceDatabase());
                Statement s = c.createStatement()) {
            OwnershipRecords.requireOwned(c, mapping.name(), database, "configure database " + database);
            for (String sql : DatabaseSql.configure(database, source, currentGrantees(c, database),
                    rolesWithSettings(c, database))) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw ActionException.from("configure database " + database, e);
        }
    }

    private static List<String> currentGrantees(Connection c, String database) throws SQLException {
        return strings(c, """
                SELECT DISTINCT CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END
                FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                WHERE d.datname = ?""", database);
    }

    private static List<String> rolesWithSettings(Connection c, String database) throws SQLException {
        return strings(c, """
                SELECT pg_get_userbyid(s.setrole) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                WHERE d.datname = ? AND s.setrole <> 0""", database);
    }

    private static List<String> strings(Connection c, String sql, String parameter) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    /**
     * template0, because encoding and locale may differ from template1's. The provider is always
     * named: a destination cluster whose default is ICU would otherwise turn a libc source into ICU.
     */
    static String createDatabaseSql(String database, DatabaseInfo source) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(quote(database)).append(" TEMPLATE template0");
        if (source.encoding() != null) {
            sql.append(" ENCODING ").append(literal(source.encoding()));
        }
        if (source.collate() != null) {
            sql.append(" LC_COLLATE ").append(literal(source.collate()));
        }
        if (source.ctype() != null) {
            sql.append(" LC_CTYPE ").append(literal(source.ctype()));
        }
        String provider = source.localeProvider() == null ? "c" : source.localeProvider();
        switch (provider) {
            case "i" -> sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(literal(source.locale()));
            case "b" -> sql.append(" LOCALE_PROVIDER builtin BUILTIN_LOCALE ").append(literal(source.locale()));
            default -> sql.append(" LOCALE_PROVIDER libc");
        }
        return sql.toString();
    }
}
