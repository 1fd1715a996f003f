package dev.pgferry.cutover;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.FreezeLedger.Entry;
import dev.pgferry.cutover.FreezePlan.RoleFacts;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The assisted write freeze on a mapping's source, and its exact undo. Freeze records every change
 * in the {@link FreezeLedger} first, then makes all of them in one transaction on the source (all
 * or nothing: a missing privilege changes nothing), then ends the frozen roles' sessions on the
 * mapping's databases. Unfreeze puts back each recorded value in one transaction, then forgets
 * the records.
 */
@Component
public class Freeze {

    static final String ROLES = """
            SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolreplication AS replication,
                   r.rolname = current_user AS pgferry,
                   EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = ANY (?)
                           AND has_database_privilege(r.oid, d.oid, 'CONNECT')) AS can_connect,
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.usesysid = r.oid
                           AND a.backend_type = 'client backend' AND a.datname = ANY (?)) AS sessions,
                   ARRAY(SELECT DISTINCT a.datname::text FROM pg_stat_activity a WHERE a.usesysid = r.oid
                           AND a.backend_type = 'client backend' AND a.datname IS NOT NULL
                           AND a.datname <> ALL (?) ORDER BY 1) AS elsewhere
            FROM pg_roles r
            WHERE r.rolcanlogin AND r.rolname !~ '^pg_'
            ORDER BY r.rolname""";

    /** Each database's own default_transaction_read_only (not one of a role in it). */
    static final String READ_ONLY = """
            SELECT d.datname AS database,
                   (SELECT substr(setting, length('default_transaction_read_only=') + 1)
                    FROM pg_db_role_setting s, unnest(s.setconfig) AS setting
                    WHERE s.setdatabase = d.oid AND s.setrole = 0
                      AND setting LIKE 'default\\_transaction\\_read\\_only=%') AS previous
            FROM pg_database d WHERE d.datname = ANY (?)""";

    static final String END_SESSIONS = """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
            FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND datname = ANY (?) AND usename = ANY (?)
              AND pid <> pg_backend_pid()""";

    private final PgConnector connector;
    private final FreezeLedger ledger;

    public Freeze(PgConnector connector, FreezeLedger ledger) {
        this.connector = connector;
        this.ledger = ledger;
    }

    /** What freeze changed and when; empty when the mapping is not frozen. */
    public record FreezeState(List<Entry> changes) {

        public boolean frozen() {
            return !changes.isEmpty();
        }

        public Instant frozenAt() {
            return changes.stream().map(Entry::frozenAt).min(Instant::compareTo).orElse(null);
        }

        public String frozenBy() {
            return changes.stream().map(Entry::frozenBy).findFirst().orElse(null);
        }
    }

    /**
     * What a freeze did: the plan carried out, the changes recorded now (not by an earlier
     * freeze), how many sessions it ended, or why it could not end them.
     */
    public record Frozen(FreezePlan plan, List<FreezeChange> recorded, long sessionsEnded, String sessionsError) {
    }

    /** What an unfreeze restored, and the targets gone meanwhile (dropped roles or databases). */
    public record Unfrozen(List<FreezeChange> restored, List<FreezeChange> gone) {
    }

    /** The freeze could not be made or undone; nothing was changed. */
    public static class FreezeFailed extends Exception {
        public FreezeFailed(String message) {
            super(message);
        }
    }

    /** Reads what a freeze of these source databases would change now (read-only). */
    public FreezePlan plan(Mapping mapping, List<String> databases) throws SQLException {
        try (Connection c = connector.act(mapping.source(), mapping.source().maintenanceDatabase())) {
            Array names = c.createArrayOf("text", databases.toArray());
            var jdbc = Jdbc.over(c);
            List<RoleFacts> roles = jdbc.sql(ROLES).params(names, names, names).query((rs, n) -> new RoleFacts(
                    rs.getString("name"), rs.getBoolean("superuser"), rs.getBoolean("replication"),
                    rs.getBoolean("pgferry"), rs.getBoolean("can_connect"), rs.getLong("sessions"),
                    Arrays.asList((String[]) rs.getArray("elsewhere").getArray()))).list();
            Map<String, String> readOnly = new HashMap<>();
            jdbc.sql(READ_ONLY).param(names).query(rs -> {
                readOnly.put(rs.getString("database"), rs.getString("previous"));
            });
            return FreezePlan.of(databases, roles, readOnly);
        }
    }

    public FreezeState state(Mapping mapping) throws SQLException {
        return new FreezeState(ledger.entries(mapping.destination(), mapping.name()));
    }

    /**
     * Freezes the source databases: records, changes (one transaction), ends sessions. Freezing a
     * frozen mapping again catches roles created since and keeps the first recorded values.
     */
    public Frozen freeze(Mapping mapping, List<String> databases, String actor) throws FreezeFailed {
        FreezePlan plan;
        List<FreezeChange> recorded;
        try {
            plan = plan(mapping, databases);
            recorded = ledger.recordNew(mapping.destination(), mapping.name(), mapping.source().name(), plan.changes(),
                    actor);
        } catch (SQLException e) {
            throw new FreezeFailed("nothing frozen: " + PgErrors.describe(e));
        }
        try (Connection c = connector.act(mapping.source(), mapping.source().maintenanceDatabase())) {
            c.setAutoCommit(false);
            try (var statement = c.createStatement()) {
                for (FreezeChange change : plan.changes()) {
                    statement.execute(change.freezeSql());
                }
            }
            c.commit();
        } catch (SQLException e) {
            forget(mapping, recorded);
            throw new FreezeFailed("nothing frozen on source " + mapping.source().name() + ": " + PgErrors.describe(e)
                    + ". pgferry's user there needs to be a superuser, or have CREATEROLE (and, on PostgreSQL 16 "
                    + "and later, ADMIN OPTION on each role) and own the databases; or freeze by hand with the "
                    + "commands on the cutover page");
        }
        if (plan.roles().isEmpty()) {
            return new Frozen(plan, recorded, 0, null);
        }
        try {
            return new Frozen(plan, recorded, endSessions(mapping, plan), null);
        } catch (SQLException e) {
            // the roles cannot log in again; sessions still writing show in the drain's refusal
            return new Frozen(plan, recorded, 0, "could not end the sessions (" + PgErrors.describe(e) + "); end them "
                    + "with the pg_terminate_backend command on the cutover page");
        }
    }

    /** Puts back every recorded value in one transaction on the source, then forgets the records. */
    public Unfrozen unfreeze(Mapping mapping) throws FreezeFailed {
        List<Entry> entries;
        try {
            entries = ledger.entries(mapping.destination(), mapping.name());
        } catch (SQLException e) {
            throw new FreezeFailed("could not read what freeze changed on destination " + mapping.destination().name()
                    + ": " + PgErrors.describe(e));
        }
        if (entries.isEmpty()) {
            throw new FreezeFailed("mapping " + mapping.name() + " is not frozen by pgferry: nothing to restore");
        }
        List<String> otherSource = entries.stream().map(Entry::source).filter(s -> !s.equals(mapping.source().name()))
                .distinct().toList();
        if (!otherSource.isEmpty()) {
            throw new FreezeFailed("mapping " + mapping.name() + " was frozen on source instance " + otherSource
                    + ", not on " + mapping.source().name() + " as configured now: restore the configuration, or undo "
                    + "the changes listed on the cutover page by hand there");
        }
        List<FreezeChange> restored = new ArrayList<>();
        List<FreezeChange> gone = new ArrayList<>();
        try (Connection c = connector.act(mapping.source(), mapping.source().maintenanceDatabase())) {
            c.setAutoCommit(false);
            var jdbc = Jdbc.over(c);
            for (Entry entry : entries) {
                FreezeChange change = entry.change();
                if (jdbc.sql(change.existsSql()).param(change.target()).query(Long.class).single() == 0) {
                    gone.add(change);
                    continue;
                }
                jdbc.sql(change.restoreSql()).update();
                restored.add(change);
            }
            c.commit();
        } catch (SQLException e) {
            throw new FreezeFailed("nothing restored on source " + mapping.source().name() + ": "
                    + PgErrors.describe(e));
        }
        try {
            ledger.remove(mapping.destination(), mapping.name(), entries.stream().map(Entry::change).toList());
        } catch (SQLException e) {
            // restored already; the records say "frozen" until removed, and restoring again is harmless
            throw new FreezeFailed("restored on the source, but could not clear the records on destination "
                    + mapping.destination().name() + " (unfreeze again to clear them): " + PgErrors.describe(e));
        }
        return new Unfrozen(restored, gone);
    }

    private long endSessions(Mapping mapping, FreezePlan plan) throws SQLException {
        try (Connection c = connector.act(mapping.source(), mapping.source().maintenanceDatabase())) {
            return Jdbc.over(c).sql(END_SESSIONS).params(c.createArrayOf("text", plan.databases().toArray()),
                    c.createArrayOf("text", plan.roles().stream().map(FreezePlan.RoleToFreeze::name).toArray()))
                    .query(Long.class).single();
        }
    }

    private void forget(Mapping mapping, List<FreezeChange> recorded) {
        try {
            ledger.remove(mapping.destination(), mapping.name(), recorded);
        } catch (SQLException e) {
            // unchanged on the source: restoring these records later puts back what is there now
        }
    }
}
