package dev.pgferry.monitor;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.ownership.Ownership;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads pgferry's own records in a destination's control schema, only when they can be trusted. */
final class ControlRecordReader {

    /** The records, or why none are trusted (then all are empty). */
    record Records(Set<String> completions, Set<String> started, Map<String, Ownership.Record> owned,
            Set<String> reversals, Map<String, ObservedInstance.Rollback> rollbacks,
            Map<String, ObservedInstance.CopyRecord> copies, String error) {
    }

    private ControlRecordReader() {
    }

    static Records read(Connection connection, JdbcClient jdbc, String user, String instance) throws SQLException {
        Set<String> completions = new HashSet<>();
        Set<String> started = new HashSet<>();
        Map<String, Ownership.Record> owned = new HashMap<>();
        Set<String> reversals = new HashSet<>();
        Map<String, ObservedInstance.Rollback> rollbacks = new HashMap<>();
        Map<String, ObservedInstance.CopyRecord> copies = new HashMap<>();
        boolean[] tables = jdbc.sql(ObservationQueries.CONTROL_TABLES).query((rs, n) -> new boolean[] {
            rs.getBoolean("completion"), rs.getBoolean("start_request"), rs.getBoolean("owned_database"),
            rs.getBoolean("readable"), rs.getBoolean("reversal"), rs.getBoolean("rollback"),
            rs.getBoolean("snapshot_copy")}).single();
        if (!tables[3]) {
            // markers exist but this user cannot read them: never guess what was completed or owned
            return new Records(completions, started, owned, reversals, rollbacks, copies, user + " cannot read pgferry's control "
                    + "schema on " + instance);
        }
        String distrust = ControlSchema.distrust(connection);
        if (distrust != null) {
            return new Records(completions, started, owned, reversals, rollbacks, copies, distrust);
        }
        if (tables[0]) {
            jdbc.sql(ObservationQueries.COMPLETIONS).query(rs -> {
                completions.add(ObservedInstance.completionKey(rs.getString(1), rs.getString(2)));
            });
        }
        if (tables[1]) {
            started.addAll(jdbc.sql(ObservationQueries.STARTED_MAPPINGS).query(String.class).list());
        }
        if (tables[2]) {
            jdbc.sql(ObservationQueries.OWNED_DATABASES).query(rs -> {
                long oid = rs.getLong("database_oid");
                owned.put(ObservedInstance.completionKey(rs.getString("mapping"), rs.getString("database")),
                        new Ownership.Record(rs.getString("how"), rs.wasNull() ? null : oid));
            });
        }
        if (tables[4]) {
            jdbc.sql(ObservationQueries.REVERSALS).query(rs -> {
                reversals.add(ObservedInstance.completionKey(rs.getString(1), rs.getString(2)));
            });
        }
        if (tables[5]) {
            jdbc.sql(ObservationQueries.ROLLBACKS).query(rs -> {
                rollbacks.put(ObservedInstance.completionKey(rs.getString("mapping"), rs.getString("database")),
                        new ObservedInstance.Rollback(rs.getLong("drain_lsn"), rs.getString("drain_lsn_text"),
                                instant(rs, "sequences_at"), instant(rs, "verified_at"),
                                instant(rs, "rolled_back_at")));
            });
        }
        if (tables[6]) {
            jdbc.sql(ObservationQueries.SNAPSHOT_COPIES).query(rs -> {
                copies.put(ObservedInstance.completionKey(rs.getString("mapping"), rs.getString("database")),
                        new ObservedInstance.CopyRecord(rs.getLong("database_oid"), rs.getBoolean("schema_restored"),
                                rs.getBoolean("rest_restored"), rs.getInt("tables"), rs.getInt("copied"),
                                rs.getLong("copied_rows"),
                                instant(rs, "resumed_at"), rs.getInt("kept"), rs.getInt("synced")));
            });
        }
        return new Records(completions, started, owned, reversals, rollbacks, copies, null);
    }

    private static java.time.Instant instant(java.sql.ResultSet rs, String column) throws SQLException {
        java.time.OffsetDateTime at = rs.getObject(column, java.time.OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
