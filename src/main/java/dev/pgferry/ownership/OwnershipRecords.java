package dev.pgferry.ownership;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.config.Instance;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Writes and checks pgferry's ownership records ({@code pgferry.owned_database} in the
 * destination's maintenance database). Every step that changes, empties or drops a destination
 * database calls {@link #requireOwned} at the moment it runs, not only when it was planned.
 */
@Component
public class OwnershipRecords {

    private final PgConnector connector;
    private final ControlSchema schema;

    public OwnershipRecords(PgConnector connector, ControlSchema schema) {
        this.connector = connector;
        this.schema = schema;
    }

    /**
     * Before CREATE DATABASE: records that pgferry is creating it (no OID yet). A record of an
     * earlier database of that name that is gone (dropped to start a copy over) is replaced; one
     * that names an existing database is kept as it is.
     */
    public void recordCreating(Instance destination, String mapping, String database) throws SQLException {
        schema.ensure(destination);
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("""
                    INSERT INTO pgferry.owned_database (mapping, database, database_oid, how, recorded_by)
                    VALUES (?, ?, NULL, 'created', 'pgferry')
                    ON CONFLICT (mapping, database) DO UPDATE
                    SET database_oid = NULL, how = 'created', recorded_at = now(), recorded_by = 'pgferry'
                    WHERE NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.oid = owned_database.database_oid)""")
                    .params(mapping, database).update();
        }
    }

    /** After CREATE DATABASE: the record names the new database by its OID. */
    public void recordCreated(Instance destination, String mapping, String database) throws SQLException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("""
                    UPDATE pgferry.owned_database SET database_oid = (SELECT oid FROM pg_database WHERE datname = ?)
                    WHERE mapping = ? AND database = ? AND database_oid IS NULL""")
                    .params(database, mapping, database).update();
        }
    }

    /** CREATE DATABASE found the name taken: that database is someone else's, so the intent goes. */
    public void forgetCreating(Instance destination, String mapping, String database) throws SQLException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("DELETE FROM pgferry.owned_database WHERE mapping = ? AND database = ? "
                    + "AND database_oid IS NULL").params(mapping, database).update();
        }
    }

    /**
     * Records an existing database as pgferry's: one it created before it could record the OID,
     * or one the operator handed over. Checked again now, in the database itself: it must still
     * hold no user object, or nothing is recorded.
     */
    public void claim(Instance destination, String mapping, String database, String how) throws ActionException {
        try {
            schema.ensure(destination);
            try (Connection c = connector.act(destination, database)) {
                long objects = Jdbc.over(c).sql(UserObjects.COUNT).query(Long.class).single();
                if (objects > 0) {
                    throw new ActionException("not recorded as pgferry's: database " + database + " now holds "
                            + objects + " user object(s); only an empty database is taken over", false);
                }
            }
            try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
                Jdbc.over(c).sql("""
                        INSERT INTO pgferry.owned_database (mapping, database, database_oid, how, recorded_by)
                        SELECT ?, ?, oid, ?, 'pgferry' FROM pg_database WHERE datname = ?
                        ON CONFLICT (mapping, database) DO UPDATE
                        SET database_oid = excluded.database_oid, how = excluded.how, recorded_at = now()""")
                        .params(mapping, database, how, database).update();
            }
        } catch (SQLException e) {
            throw ActionException.from("record database " + database + " as pgferry's", e);
        }
    }

    /**
     * The OID of the database if pgferry's record names it, checked on the maintenance database
     * connection given; otherwise a permanent failure that says so (nothing is done then).
     */
    public static long requireOwned(Connection maintenance, String mapping, String database, String what)
            throws SQLException, ActionException {
        var jdbc = Jdbc.over(maintenance);
        String distrust = ControlSchema.distrust(maintenance);
        boolean recorded = distrust == null && jdbc.sql("SELECT to_regclass('pgferry.owned_database') IS NOT NULL")
                .query(Boolean.class).single();
        Optional<Long> oid = !recorded ? Optional.empty() : jdbc.sql("""
                SELECT d.oid::bigint FROM pg_database d JOIN pgferry.owned_database o ON o.database_oid = d.oid
                WHERE d.datname = ? AND o.mapping = ? AND o.database = ?""")
                .params(database, mapping, database).query(Long.class).optional();
        if (oid.isEmpty()) {
            throw new ActionException(what + " refused: " + (distrust != null ? distrust
                    : "pgferry has no record of creating destination database " + database
                            + " (or of it being handed over)") + ", so it leaves the database as it is", false);
        }
        return oid.get();
    }

    /** {@link #requireOwned} on a connection of its own. */
    public void requireOwned(Instance destination, String mapping, String database, String what)
            throws ActionException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            requireOwned(c, mapping, database, what);
        } catch (SQLException e) {
            throw ActionException.from(what + ": check pgferry's ownership of " + database, e);
        }
    }
}
