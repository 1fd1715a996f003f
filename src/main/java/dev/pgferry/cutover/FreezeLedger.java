package dev.pgferry.cutover;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.config.Instance;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The record of what "freeze" changed, in the control schema of the mapping's destination
 * instance: written before each change and deleted once it is undone, so a restarted pgferry
 * (or an operator reading the table) knows exactly what to restore.
 */
@Component
public class FreezeLedger {

    private final PgConnector connector;
    private final ControlSchema schema;

    public FreezeLedger(PgConnector connector, ControlSchema schema) {
        this.connector = connector;
        this.schema = schema;
    }

    /** A recorded change. */
    public record Entry(FreezeChange change, String source, Instant frozenAt, String frozenBy) {
    }

    /**
     * Records the changes not recorded yet (a change already recorded keeps its first previous
     * value: freezing twice must not take the frozen value for the original) and returns those.
     */
    public List<FreezeChange> recordNew(Instance destination, String mapping, String source, List<FreezeChange> changes,
            String actor) throws SQLException {
        schema.ensure(destination);
        List<FreezeChange> added = new ArrayList<>();
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            for (FreezeChange change : changes) {
                int rows = Jdbc.over(c).sql("INSERT INTO pgferry.freeze_change (mapping, source, kind, target, previous, "
                        + "frozen_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (mapping, kind, target) DO NOTHING")
                        .params(mapping, source, change.kind().label(), change.target(), change.previous(), actor)
                        .update();
                if (rows == 1) {
                    added.add(change);
                }
            }
        }
        return added;
    }

    /** The recorded changes of the mapping; none when pgferry never wrote on this destination. */
    public List<Entry> entries(Instance destination, String mapping) throws SQLException {
        try (Connection c = connector.observe(destination, destination.maintenanceDatabase())) {
            var jdbc = Jdbc.over(c);
            boolean exists = jdbc.sql("SELECT to_regclass('pgferry.freeze_change') IS NOT NULL").query(Boolean.class)
                    .single();
            if (!exists) {
                return List.of();
            }
            return jdbc.sql("SELECT kind, target, previous, source, frozen_at, frozen_by FROM pgferry.freeze_change "
                    + "WHERE mapping = ? ORDER BY kind DESC, target").param(mapping)
                    .query((rs, n) -> new Entry(new FreezeChange(FreezeChange.Kind.of(rs.getString("kind")),
                            rs.getString("target"), rs.getString("previous")), rs.getString("source"),
                            rs.getObject("frozen_at", OffsetDateTime.class).toInstant(), rs.getString("frozen_by")))
                    .list();
        }
    }

    /** Forgets changes that were undone (or never made). */
    public void remove(Instance destination, String mapping, List<FreezeChange> changes) throws SQLException {
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            for (FreezeChange change : changes) {
                Jdbc.over(c).sql("DELETE FROM pgferry.freeze_change WHERE mapping = ? AND kind = ? AND target = ?")
                        .params(mapping, change.kind().label(), change.target()).update();
            }
        }
    }
}
