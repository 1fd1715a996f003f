package dev.pgferry.replication;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.ConnInfo;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.pg.QuietSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Creates and drops pgferry's publication, slot and subscription. Every method may run twice:
 * "already exists" on create and "does not exist" on drop count as done.
 */
@Component
public class ReplicationObjects {

    private static final Logger log = LoggerFactory.getLogger(ReplicationObjects.class);

    private final PgConnector connector;
    private final SubscriptionConnections connections;

    public ReplicationObjects(PgConnector connector, SubscriptionConnections connections) {
        this.connector = connector;
        this.connections = connections;
    }

    public void createPublication(Instance source, String database, String publication, List<PublishedTable> tables)
            throws ActionException {
        try (Connection c = connector.act(source, database); Statement s = c.createStatement()) {
            s.execute(ReplicationSql.createPublication(publication, tables));
        } catch (SQLException e) {
            if (!PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw ActionException.from("create publication " + publication, e);
            }
        }
    }

    /** The statement carries the source's password: it is executed, never logged or shown. */
    public void createSubscription(Mapping mapping, String database, ReplicationNames names) throws ActionException {
        String conninfo = ConnInfo.forSubscription(mapping.source(), database);
        create(mapping, database, names, ReplicationSql.createSubscription(names.subscription(), conninfo,
                names.publication(), names.slot()), conninfo);
    }

    /** On the slot the snapshot copy created: copies nothing, streams from the slot's consistent point. */
    public void createSubscriptionOnSlot(Mapping mapping, String database, ReplicationNames names)
            throws ActionException {
        String conninfo = ConnInfo.forSubscription(mapping.source(), database);
        create(mapping, database, names, ReplicationSql.createSubscriptionOnSlot(names.subscription(), conninfo,
                names.publication(), names.slot()), conninfo);
    }

    /**
     * Gives the subscription the connection the configuration says now (a changed password or
     * replication address). The apply worker reconnects with it. The statement carries the
     * password: executed, never logged or shown.
     */
    public void updateSubscriptionConnection(Mapping mapping, String database, String subscription)
            throws ActionException {
        String conninfo = ConnInfo.forSubscription(mapping.source(), database);
        try (Connection c = connector.act(mapping.destination(), database); Statement s = c.createStatement()) {
            quiet(c, mapping);
            s.execute(ReplicationSql.alterSubscriptionConnection(subscription, conninfo));
            connections.updated(mapping, database, subscription, conninfo, java.time.Instant.now());
        } catch (SQLException e) {
            throw ActionException.from("update the connection of subscription " + subscription, e);
        }
    }

    private void create(Mapping mapping, String database, ReplicationNames names, String sql, String conninfo)
            throws ActionException {
        try (Connection c = connector.act(mapping.destination(), database); Statement s = c.createStatement()) {
            quiet(c, mapping);
            s.execute(sql);
            connections.set(mapping, database, names.subscription(), conninfo);
        } catch (SQLException e) {
            if (!PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw ActionException.from("create subscription " + names.subscription(), e);
            }
        }
    }

    /**
     * The next statement carries the source password: kept out of the destination server's log
     * where pgferry's user may say so (docs/operations.md, Security, says when it cannot).
     */
    private static void quiet(Connection c, Mapping mapping) throws SQLException {
        List<String> notSet = QuietSession.quiet(c);
        if (!notSet.isEmpty()) {
            log.warn("mapping {}: pgferry's user on destination {} may not set {}: if that server logs DDL "
                    + "(log_statement) or this statement fails, its log shows the subscription's connection string "
                    + "with the source password. GRANT SET ON PARAMETER {} TO {} there to prevent it",
                    mapping.name(), mapping.destination().name(), String.join(", ", notSet), String.join(", ", notSet),
                    mapping.destination().user());
        }
    }

    public void dropSubscription(Instance destination, String database, String subscription) throws ActionException {
        try (Connection c = connector.act(destination, database); Statement s = c.createStatement()) {
            s.execute(ReplicationSql.dropSubscription(subscription));
        } catch (SQLException e) {
            throw ActionException.from("drop subscription " + subscription, e);
        }
    }

    /** Drops the subscription without the source (see {@link ReplicationSql#detachAndDropSubscription}). */
    public void detachAndDropSubscription(Instance destination, String database, String subscription)
            throws ActionException {
        try (Connection c = connector.act(destination, database); Statement s = c.createStatement()) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_subscription WHERE subname = ? "
                    + "AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
                exists.setString(1, subscription);
                if (!exists.executeQuery().next()) {
                    return;
                }
            }
            for (String sql : ReplicationSql.detachAndDropSubscription(subscription)) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw ActionException.from("detach and drop subscription " + subscription, e);
        }
    }

    /**
     * Starting a database over, in one transaction on the destination: the subscription lets go
     * of its slot and is dropped, and the tables it wrote are emptied. Afterwards the database
     * looks like an interrupted copy (tables, maybe a slot, no subscription), which the planner
     * starts over from an empty database; a crash before the commit changes nothing. Refused,
     * with nothing changed, when a table the subscription does not write references one it does
     * (only the subscription's own tables are ever emptied). Returns the number of tables
     * emptied, or -1 when there was no such subscription.
     */
    public int abandonSubscription(Instance destination, String database, String subscription)
            throws ActionException {
        try (Connection c = connector.act(destination, database); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            var jdbc = Jdbc.over(c);
            List<String> tables = jdbc.sql(ReplicationSql.subscribedTables()).param(subscription)
                    .query((rs, n) -> Optional.ofNullable(rs.getString(1))).list().stream()
                    .flatMap(Optional::stream).toList();
            if (!jdbc.sql("SELECT EXISTS (SELECT 1 FROM pg_subscription WHERE subname = ? AND subdbid = "
                    + "(SELECT oid FROM pg_database WHERE datname = current_database()))").param(subscription)
                    .query(Boolean.class).single()) {
                return -1;
            }
            List<String> references = jdbc.sql(ReplicationSql.outsideReferences()).param(subscription)
                    .query(String.class).list();
            if (!references.isEmpty()) {
                throw new ActionException("nothing changed: " + references.size() + " destination table(s) outside "
                        + "the subscription reference tables it writes, and start over empties only its own tables: "
                        + String.join("; ", references) + ". Drop those foreign keys (or empty those tables) on the "
                        + "destination first, then start over", false);
            }
            for (String sql : ReplicationSql.detachAndDropSubscription(subscription)) {
                s.execute(sql);
            }
            if (!tables.isEmpty()) {
                s.execute("TRUNCATE " + String.join(", ", tables));
            }
            c.commit();
            return tables.size();
        } catch (SQLException e) {
            throw ActionException.from("start over: drop subscription " + subscription + " and empty its tables", e);
        }
    }

    public void dropPublication(Instance source, String database, String publication) throws ActionException {
        try (Connection c = connector.act(source, database); Statement s = c.createStatement()) {
            s.execute(ReplicationSql.dropPublication(publication));
        } catch (SQLException e) {
            throw ActionException.from("drop publication " + publication, e);
        }
    }

    /**
     * Drops pgferry's slot left by an interrupted step, unless a subscription on the destination
     * uses it now (one created since the tick looked: its apply worker may not have connected
     * yet, so "inactive" alone proves nothing) or a walsender does.
     */
    public void dropInactiveSlot(Mapping mapping, String database, String slot) throws ActionException {
        Instance destination = mapping.destination();
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            if (Jdbc.over(c).sql("SELECT EXISTS (SELECT 1 FROM pg_subscription WHERE subslotname = ?)").param(slot)
                    .query(Boolean.class).single()) {
                throw new ActionException("replication slot " + slot + " left as it is: a subscription on the "
                        + "destination uses it now (the next tick looks again)", true);
            }
        } catch (SQLException e) {
            throw ActionException.from("check who uses replication slot " + slot, e);
        }
        dropInactiveSlot(mapping.source(), database, slot);
    }

    private void dropInactiveSlot(Instance source, String database, String slot) throws ActionException {
        try (Connection c = connector.act(source, database);
                PreparedStatement s = c.prepareStatement(ReplicationSql.dropInactiveSlot())) {
            s.setString(1, slot);
            s.execute();
        } catch (SQLException e) {
            throw ActionException.from("drop replication slot " + slot, e);
        }
    }

    /**
     * The reverse direction's slot, in the destination database (a logical slot belongs to one
     * database); nothing happens when it exists.
     */
    public void createReverseSlot(Instance destination, String database, String slot) throws ActionException {
        try (Connection c = connector.act(destination, database);
                PreparedStatement s = c.prepareStatement(ReplicationSql.createLogicalSlot())) {
            s.setString(1, slot);
            s.setString(2, slot);
            s.execute();
        } catch (SQLException e) {
            if (!PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw ActionException.from("create replication slot " + slot + " on the destination", e);
            }
        }
    }

    /**
     * The source database subscribes to the destination on the reverse slot. pgferry's session
     * is writable although the frozen database is read-only by default, and the apply worker
     * writes there regardless (verified on 15). The statement carries the destination's password:
     * executed, never logged or shown.
     */
    public void createReverseSubscription(Mapping mapping, String database, ReplicationNames back)
            throws ActionException {
        String conninfo = ConnInfo.forSubscription(mapping.destination(), database);
        try (Connection c = connector.act(mapping.source(), database); Statement s = c.createStatement()) {
            List<String> notSet = QuietSession.quiet(c);
            if (!notSet.isEmpty()) {
                log.warn("mapping {}: pgferry's user on source {} may not set {}: if that server logs DDL, its log "
                        + "shows the reverse subscription's connection string with the destination's password",
                        mapping.name(), mapping.source().name(), String.join(", ", notSet));
            }
            boolean originNone = c.getMetaData().getDatabaseMajorVersion() >= 16;
            s.execute(ReplicationSql.createReverseSubscription(back.subscription(), conninfo, back.publication(),
                    back.slot(), originNone));
        } catch (SQLException e) {
            if (!PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw ActionException.from("create subscription " + back.subscription() + " in the source database",
                        e);
            }
        }
    }

    /** Drops the reverse direction's slot on the destination unless a walsender uses it. */
    public void dropReverseSlot(Instance destination, String database, String slot) throws ActionException {
        dropInactiveSlot(destination, database, slot);
    }
}
