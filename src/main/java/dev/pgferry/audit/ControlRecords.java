package dev.pgferry.audit;

import dev.pgferry.config.Instance;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/** Writes completion markers and audit entries into the control schema. */
@Component
public class ControlRecords {

    private static final Logger log = LoggerFactory.getLogger(ControlRecords.class);

    private final PgConnector connector;
    private final ControlSchema schema;
    private final ApplicationEventPublisher events;

    public ControlRecords(PgConnector connector, ControlSchema schema, ApplicationEventPublisher events) {
        this.connector = connector;
        this.schema = schema;
        this.events = events;
    }

    /**
     * Records the operator's decision; idempotent. In the same transaction the database stops
     * being pgferry's (its ownership record goes): from now on it belongs to its applications, and
     * nothing pgferry does, even if the completion record were lost, may empty or drop it.
     */
    public void markComplete(Instance destination, String mapping, String database, String actor) throws SQLException {
        schema.ensure(destination);
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            c.setAutoCommit(false);
            var jdbc = Jdbc.over(c);
            jdbc.sql("INSERT INTO pgferry.completion (mapping, database, completed_by) VALUES (?, ?, ?) "
                    + "ON CONFLICT (mapping, database) DO NOTHING").params(mapping, database, actor).update();
            jdbc.sql("DELETE FROM pgferry.owned_database WHERE mapping = ? AND database = ?").params(mapping, database)
                    .update();
            forgetSnapshotCopy(c, mapping, database);
            c.commit();
        }
    }

    /** The same on a connection of its own: an operator starts the database over, so nothing of the copy is kept. */
    public void forgetSnapshotCopy(Instance destination, String mapping, String database) throws SQLException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            forgetSnapshotCopy(c, mapping, database);
        }
    }

    /** A snapshot copy's records go (pgferry.snapshot_copy and its tables): the database was completed or starts over. */
    public static void forgetSnapshotCopy(Connection maintenance, String mapping, String database) throws SQLException {
        var jdbc = Jdbc.over(maintenance);
        if (jdbc.sql("SELECT to_regclass('pgferry.snapshot_copy') IS NOT NULL").query(Boolean.class).single()) {
            jdbc.sql("DELETE FROM pgferry.snapshot_copy WHERE mapping = ? AND database = ?").params(mapping, database)
                    .update();
        }
    }

    /**
     * Records the operator's decision to turn the database's replication around (reverse);
     * idempotent. Written before anything is dropped: the planner then takes the forward
     * direction down and sets up the reverse one, also after a restart.
     */
    public void markReversed(Instance destination, String mapping, String database, String actor)
            throws SQLException {
        schema.ensure(destination);
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("INSERT INTO pgferry.reversal (mapping, database, reversed_by) VALUES (?, ?, ?) "
                    + "ON CONFLICT (mapping, database) DO NOTHING").params(mapping, database, actor).update();
        }
    }

    /** Makes sure the control schema is there and migrated (nothing else is written). */
    public void prepare(Instance destination) throws SQLException {
        schema.ensure(destination);
    }

    /**
     * Records an operator's rollback of a turned-around database, with the freeze point taken on
     * the destination; idempotent (a second request keeps the first record).
     */
    public void requestRollback(Instance destination, String mapping, String database, String actor, long drainLsn,
            String drainLsnText) throws SQLException {
        schema.ensure(destination);
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("INSERT INTO pgferry.rollback (mapping, database, requested_by, drain_lsn, drain_lsn_text) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (mapping, database) DO NOTHING")
                    .params(mapping, database, actor, drainLsn, drainLsnText).update();
        }
    }

    /** The steps of a rollback that are recorded when done. */
    public enum RollbackStage {
        SEQUENCES("sequences_at"), VERIFIED("verified_at"), ROLLED_BACK("rolled_back_at");

        private final String column;

        RollbackStage(String column) {
            this.column = column;
        }
    }

    /** Records that a rollback step is done for a database (for every database of the mapping, when null). */
    public void markRollback(Instance destination, String mapping, String database, RollbackStage stage)
            throws SQLException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            // the column comes from the enum, never from input
            Jdbc.over(c).sql("UPDATE pgferry.rollback SET " + stage.column + " = coalesce(" + stage.column
                    + ", now()) WHERE mapping = ? AND (?::text IS NULL OR database = ?)")
                    .params(mapping, database, database).update();
        }
    }

    /** Whether every database of the mapping with a rollback has been verified. */
    public boolean rollbackVerified(Instance destination, String mapping) throws SQLException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            return Jdbc.over(c).sql("SELECT bool_and(verified_at IS NOT NULL) FROM pgferry.rollback WHERE mapping = ?")
                    .param(mapping).query(Boolean.class).optional().map(Boolean.TRUE::equals).orElse(false);
        }
    }

    /** Records that an operator started a mapping configured in plan mode; idempotent. */
    public void requestStart(Instance destination, String mapping, String actor) throws SQLException {
        schema.ensure(destination);
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("INSERT INTO pgferry.start_request (mapping, requested_by) VALUES (?, ?) "
                    + "ON CONFLICT (mapping) DO NOTHING").params(mapping, actor).update();
        }
    }

    /**
     * The audit entry of an action already done (read-only, or written elsewhere): a missing
     * entry must not undo or hide it, so a failure to write it is logged, not thrown.
     */
    public void auditAfterwards(Instance destination, String actor, String action, String mapping, String database,
            String detail) {
        try {
            audit(destination, actor, action, mapping, database, detail);
        } catch (SQLException e) {
            log.warn("mapping {} database {}: could not write the audit record of {}: {}", mapping, database, action,
                    PgErrors.describe(e));
        }
    }

    public void audit(Instance destination, String actor, String action, String mapping, String database,
            String detail) throws SQLException {
        schema.ensure(destination);
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            Jdbc.over(c).sql("INSERT INTO pgferry.audit_log (actor, action, mapping, database, detail) "
                    + "VALUES (?, ?, ?, ?, ?)").params(actor, action, mapping, database, detail).update();
        }
        events.publishEvent(new Audited(java.time.Instant.now(), actor, action, mapping, database, detail));
    }


    /**
     * A mapping's audit entries, newest first, at most {@code limit} (none when the control schema
     * is not there yet). Read beside the loop, never inside a request.
     */
    public java.util.List<AuditRecord> history(Instance destination, String mapping, int limit) throws SQLException {
        try (Connection c = connector.observe(destination, destination.maintenanceDatabase())) {
            var jdbc = Jdbc.over(c);
            if (!jdbc.sql("SELECT to_regclass('pgferry.audit_log') IS NOT NULL").query(Boolean.class).single()) {
                return java.util.List.of();
            }
            return jdbc.sql("SELECT at, actor, action, database, detail FROM pgferry.audit_log WHERE mapping = ? "
                    + "ORDER BY id DESC LIMIT ?").params(mapping, limit)
                    .query((rs, n) -> new AuditRecord(rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                            rs.getString("action"), rs.getString("database"), rs.getString("detail"))).list();
        }
    }

    /** One audit entry as read back. */
    public record AuditEntry(java.time.Instant at, String actor, String detail) {
    }

    /**
     * The newest audit entries of one action on one database, newest first (none when the control
     * schema is not there yet). Read beside the loop, never inside a request.
     */
    public java.util.List<AuditEntry> recent(Instance destination, String mapping, String database, String action,
            int limit) throws SQLException {
        try (Connection c = connector.observe(destination, destination.maintenanceDatabase())) {
            var jdbc = Jdbc.over(c);
            if (!jdbc.sql("SELECT to_regclass('pgferry.audit_log') IS NOT NULL").query(Boolean.class).single()) {
                return java.util.List.of();
            }
            return jdbc.sql("SELECT at, actor, detail FROM pgferry.audit_log WHERE mapping = ? AND database = ? "
                    + "AND action = ? ORDER BY id DESC LIMIT ?").params(mapping, database, action, limit)
                    .query((rs, n) -> new AuditEntry(rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                            rs.getString("detail"))).list();
        }
    }
}
