package dev.pgferry.cutover;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.config.Instance;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The record of what "freeze" changed, on the source itself: a table {@code pgferry.freeze_change}
 * in the source's maintenance database, created by the first freeze and dropped by the last
 * unfreeze. It lives where the changes are, so that unfreeze works when only the source is up
 * (the destination down is the usual reason to roll back), and it is written in the same
 * transaction as the changes: a freeze either records and changes everything, or leaves no trace.
 * Freezes and unfreezes of one source take turns (a transaction-level advisory lock).
 */
@Component
public class FreezeLedger {

    /** pgferry's advisory lock class for the ledger ("pgfz"); the lock is per source server. */
    static final int LOCK_CLASS = 0x70676677;

    static final String CREATE = """
            CREATE TABLE IF NOT EXISTS pgferry.freeze_change (
                mapping   text        NOT NULL,
                kind      text        NOT NULL CHECK (kind IN ('role-login', 'database-read-only')),
                target    text        NOT NULL,
                previous  text,
                frozen_at timestamptz NOT NULL DEFAULT now(),
                frozen_by text        NOT NULL,
                PRIMARY KEY (mapping, kind, target))""";

    private final PgConnector connector;

    public FreezeLedger(PgConnector connector) {
        this.connector = connector;
    }

    /** A recorded change, with when and by whom. */
    public record Entry(FreezeChange change, Instant frozenAt, String frozenBy) {
    }

    /** The recorded changes of the mapping on its source; none when it is not frozen. */
    public List<Entry> entries(Instance source, String mapping) throws SQLException {
        try (Connection c = connector.observe(source, source.maintenanceDatabase())) {
            return entries(c, mapping);
        }
    }

    /** Waits for any other freeze or unfreeze on this source to end; released at commit or rollback. */
    static void takeTurn(Connection c) throws SQLException {
        Jdbc.over(c).sql("SELECT pg_advisory_xact_lock(?, 0)").param(LOCK_CLASS).query(Object.class).optional();
    }

    /** Creates the ledger in the current transaction, unless a schema pgferry is there that is not pgferry's. */
    static void create(Connection c) throws SQLException {
        String distrust = ControlSchema.distrust(c);
        if (distrust != null) {
            throw new SQLException(distrust + "; pgferry records no freeze there. Drop or rename that schema on the "
                    + "source, or connect as the role that owns it", "42501");
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS pgferry");
            s.execute(CREATE);
        }
    }

    static List<Entry> entries(Connection c, String mapping) throws SQLException {
        var jdbc = Jdbc.over(c);
        if (!jdbc.sql("SELECT to_regclass('pgferry.freeze_change') IS NOT NULL").query(Boolean.class).single()) {
            return List.of();
        }
        return jdbc.sql("SELECT kind, target, previous, frozen_at, frozen_by FROM pgferry.freeze_change "
                + "WHERE mapping = ? ORDER BY kind DESC, target").param(mapping)
                .query((rs, n) -> new Entry(new FreezeChange(FreezeChange.Kind.of(rs.getString("kind")),
                        rs.getString("target"), rs.getString("previous")),
                        rs.getObject("frozen_at", OffsetDateTime.class).toInstant(), rs.getString("frozen_by")))
                .list();
    }

    static void record(Connection c, String mapping, List<FreezeChange> changes, String actor) throws SQLException {
        var jdbc = Jdbc.over(c);
        for (FreezeChange change : changes) {
            jdbc.sql("INSERT INTO pgferry.freeze_change (mapping, kind, target, previous, frozen_by) "
                    + "VALUES (?, ?, ?, ?, ?)").params(mapping, change.kind().label(), change.target(),
                            change.previous(), actor).update();
        }
    }

    /** Forgets the mapping's records; the ledger (and the schema, when nothing else is in it) goes with the last. */
    static void forget(Connection c, String mapping) throws SQLException {
        var jdbc = Jdbc.over(c);
        jdbc.sql("DELETE FROM pgferry.freeze_change WHERE mapping = ?").param(mapping).update();
        // on a destination the ledger is a table of pgferry's control schema (Flyway's): it stays
        boolean controlSchema = jdbc.sql("SELECT to_regclass('pgferry.flyway_schema_history') IS NOT NULL")
                .query(Boolean.class).single();
        if (!controlSchema
                && jdbc.sql("SELECT NOT EXISTS (SELECT 1 FROM pgferry.freeze_change)").query(Boolean.class).single()) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE pgferry.freeze_change");
                Savepoint beforeSchema = c.setSavepoint();
                try {
                    s.execute("DROP SCHEMA pgferry");
                } catch (SQLException e) {
                    // something else lives there (not pgferry's): it stays, and so does the schema
                    c.rollback(beforeSchema);
                }
            }
        }
    }
}
