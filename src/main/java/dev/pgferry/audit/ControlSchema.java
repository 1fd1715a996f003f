package dev.pgferry.audit;

import dev.pgferry.config.Instance;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.flywaydb.core.Flyway;
import org.springframework.stereotype.Component;

/**
 * pgferry's control schema ({@code pgferry}) in a destination instance's maintenance database,
 * created and migrated by Flyway the first time pgferry writes there: plan mode writes nothing.
 *
 * <p>Its records decide what pgferry may drop or finish (ownership, completions, starts), so
 * they are trusted only in a schema owned by pgferry's own user whose tables that user owns too:
 * a role that could create the schema first, or own a table in it, could otherwise forge them.
 */
@Component
public class ControlSchema {

    /**
     * Why the control schema must not be trusted, or null (also when it does not exist yet).
     * Read on a connection to the maintenance database as pgferry's user.
     */
    static final String OWNERS = """
            SELECT pg_get_userbyid(n.nspowner) AS owner, n.nspowner = r.oid AS own,
                   (SELECT string_agg(format('%I (owned by %I)', c.relname, pg_get_userbyid(c.relowner)), ', ')
                    FROM pg_class c WHERE c.relnamespace = n.oid AND c.relowner <> r.oid) AS foreign_objects
            FROM pg_namespace n, pg_roles r WHERE n.nspname = 'pgferry' AND r.rolname = current_user""";

    private final PgConnector connector;
    private final Set<String> migrated = ConcurrentHashMap.newKeySet();

    public ControlSchema(PgConnector connector) {
        this.connector = connector;
    }

    /** Why the records in schema pgferry on this connection's database are not to be trusted; null if they are. */
    public static String distrust(Connection maintenance) throws SQLException {
        return Jdbc.over(maintenance).sql(OWNERS).query((rs, n) -> {
            if (!rs.getBoolean("own")) {
                return "schema pgferry in database " + maintenance.getCatalog() + " is owned by role "
                        + rs.getString("owner") + ", not by pgferry's user " + maintenance.getMetaData().getUserName()
                        + ": its records are not trusted";
            }
            String foreign = rs.getString("foreign_objects");
            return foreign == null ? null : "schema pgferry in database " + maintenance.getCatalog()
                    + " holds objects owned by other roles (" + foreign + "): its records are not trusted";
        }).optional().orElse(null);
    }

    /** Creates or migrates the schema once per destination; the databases of a tick ask at once, one migrates. */
    public synchronized void ensure(Instance destination) throws SQLException {
        if (migrated.contains(destination.name())) {
            return;
        }
        try (Connection c = connector.act(destination, destination.maintenanceDatabase())) {
            String distrust = distrust(c);
            if (distrust != null) {
                throw new SQLException(distrust + "; pgferry writes nothing there. Drop or rename that schema, or "
                        + "connect as the role that owns it", "42501");
            }
        }
        Flyway.configure()
                .dataSource(connector.dataSource(destination, destination.maintenanceDatabase()))
                .schemas("pgferry")
                .createSchemas(true)
                .locations("classpath:db/control")
                .load()
                .migrate();
        migrated.add(destination.name());
    }
}
