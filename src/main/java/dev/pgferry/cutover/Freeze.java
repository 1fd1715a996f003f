package dev.pgferry.cutover;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.FreezeLedger.Entry;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The assisted write freeze on a mapping's source, and its exact undo. Freeze takes its turn on
 * the source, reads every previous value again, records them in the {@link FreezeLedger} and
 * makes every change, all in one transaction on the source (all or nothing: a missing privilege
 * changes and records nothing), then ends the frozen roles' sessions on the mapping's databases.
 * Unfreeze puts back each recorded value and forgets the records, in one transaction on the
 * source: it needs nothing but the source.
 */
@Component
public class Freeze {

    static final String END_SESSIONS = """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
            FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND datname = ANY (?) AND usename = ANY (?)
              AND pid <> pg_backend_pid()""";

    private final PgConnector connector;
    private final FreezeLedger ledger;
    private final FreezeFacts facts;

    public Freeze(PgConnector connector, FreezeLedger ledger, FreezeFacts facts) {
        this.connector = connector;
        this.ledger = ledger;
        this.facts = facts;
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

        /** The commands that undo the freeze by hand, from the records (never from what is there now). */
        public List<String> undoCommands() {
            return changes.stream().map(e -> e.change().restoreSql() + ";").toList();
        }
    }

    /**
     * What a freeze did: the plan carried out, the changes recorded, how many sessions it ended,
     * or why it could not end them.
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

    /**
     * Which server's applications a freeze stops: the source's at cutover, the destination's when
     * a turned-around mapping is rolled back. Each side keeps its own ledger.
     */
    public enum Side {
        SOURCE, DESTINATION;

        public Instance of(Mapping mapping) {
            return this == SOURCE ? mapping.source() : mapping.destination();
        }

        public String label() {
            return this == SOURCE ? "source" : "destination";
        }
    }

    /** Reads what a freeze of these source databases would change now (read-only). */
    public FreezePlan plan(Mapping mapping, List<String> databases) throws SQLException {
        return plan(mapping, Side.SOURCE, databases);
    }

    public FreezePlan plan(Mapping mapping, Side side, List<String> databases) throws SQLException {
        return facts.plan(mapping, side.of(mapping), databases);
    }

    public FreezeState state(Mapping mapping) throws SQLException {
        return state(mapping, Side.SOURCE);
    }

    public FreezeState state(Mapping mapping, Side side) throws SQLException {
        return new FreezeState(ledger.entries(side.of(mapping), mapping.name()));
    }

    /**
     * Freezes the source databases: records and changes (one transaction), then ends sessions.
     * Refused, with nothing changed, while the mapping is frozen already.
     */
    public Frozen freeze(Mapping mapping, List<String> databases, String actor) throws FreezeFailed {
        return freeze(mapping, Side.SOURCE, databases, actor);
    }

    public Frozen freeze(Mapping mapping, Side side, List<String> databases, String actor) throws FreezeFailed {
        Instance where = side.of(mapping);
        FreezePlan plan;
        try {
            plan = plan(mapping, side, databases);
        } catch (SQLException e) {
            throw new FreezeFailed("nothing frozen: " + side.label() + " " + where.name() + " could not be read: "
                    + PgErrors.describe(e));
        }
        List<FreezeChange> made;
        try (Connection c = connector.act(where, where.maintenanceDatabase())) {
            c.setAutoCommit(false);
            FreezeLedger.takeTurn(c);
            FreezeLedger.create(c);
            List<Entry> already = FreezeLedger.entries(c, mapping.name());
            if (!already.isEmpty()) {
                c.rollback();
                FreezeState state = new FreezeState(already);
                throw new FreezeFailed("mapping " + mapping.name() + " is frozen already (by " + state.frozenBy()
                        + " at " + state.frozenAt() + "); nothing changed. Unfreeze it first to freeze it again");
            }
            made = asTheyAreNow(c, plan.changes());
            FreezeLedger.record(c, mapping.name(), made, actor);
            try (var statement = c.createStatement()) {
                for (FreezeChange change : made) {
                    statement.execute(change.freezeSql());
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new FreezeFailed("nothing frozen on " + side.label() + " " + where.name() + ": " + PgErrors.describe(e)
                    + ". pgferry's user there needs to be a superuser, or have CREATEROLE (and, on PostgreSQL 16 "
                    + "and later, ADMIN OPTION on each role), own the databases and may create schema pgferry in "
                    + "the maintenance database; or freeze by hand with the commands on the cutover page");
        }
        if (plan.roles().isEmpty()) {
            return new Frozen(plan, made, 0, null);
        }
        try {
            return new Frozen(plan, made, endSessions(where, plan), null);
        } catch (SQLException e) {
            // the roles cannot log in again; sessions still writing show in the drain's refusal
            return new Frozen(plan, made, 0, "could not end the sessions (" + PgErrors.describe(e) + "); end them "
                    + "with the pg_terminate_backend command on the cutover page");
        }
    }

    /**
     * The planned changes with their previous values read again inside the freeze's transaction
     * (the plan was read before it took its turn): a role that cannot log in any more needs no
     * freeze, and a database's setting is the one there now.
     */
    private static List<FreezeChange> asTheyAreNow(Connection c, List<FreezeChange> planned) throws SQLException {
        var jdbc = Jdbc.over(c);
        List<FreezeChange> now = new ArrayList<>();
        for (FreezeChange change : planned) {
            switch (change.kind()) {
                case ROLE_LOGIN -> {
                    if (jdbc.sql("SELECT rolcanlogin FROM pg_roles WHERE rolname = ?").param(change.target())
                            .query(Boolean.class).optional().orElse(false)) {
                        now.add(change);
                    }
                }
                case DATABASE_READ_ONLY -> FreezeFacts.readOnlySetting(jdbc, change.target())
                        .ifPresent(previous -> now.add(FreezeChange.databaseReadOnly(change.target(),
                                previous.orElse(null))));
            }
        }
        return now;
    }

    /** Puts back every recorded value and forgets the records, in one transaction on the source. */
    public Unfrozen unfreeze(Mapping mapping) throws FreezeFailed {
        return unfreeze(mapping, Side.SOURCE);
    }

    public Unfrozen unfreeze(Mapping mapping, Side side) throws FreezeFailed {
        Instance where = side.of(mapping);
        List<FreezeChange> restored = new ArrayList<>();
        List<FreezeChange> gone = new ArrayList<>();
        try (Connection c = connector.act(where, where.maintenanceDatabase())) {
            c.setAutoCommit(false);
            FreezeLedger.takeTurn(c);
            List<Entry> entries = FreezeLedger.entries(c, mapping.name());
            if (entries.isEmpty()) {
                c.rollback();
                throw new FreezeFailed("mapping " + mapping.name() + " is not frozen by pgferry on " + side.label()
                        + " " + where.name() + ": nothing to restore");
            }
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
            FreezeLedger.forget(c, mapping.name());
            c.commit();
        } catch (SQLException e) {
            throw new FreezeFailed("nothing restored on " + side.label() + " " + where.name() + ": "
                    + PgErrors.describe(e));
        }
        return new Unfrozen(restored, gone);
    }

    private long endSessions(Instance where, FreezePlan plan) throws SQLException {
        try (Connection c = connector.act(where, where.maintenanceDatabase())) {
            Array databases = c.createArrayOf("text", plan.databases().toArray());
            Array roles = c.createArrayOf("text", plan.roles().stream().map(FreezePlan.RoleToFreeze::name).toArray());
            return Jdbc.over(c).sql(END_SESSIONS).params(databases, roles).query(Long.class).single();
        }
    }
}
