package dev.pgferry.schema;

import dev.pgferry.audit.ControlSchema;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ServerFacts.Membership;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.pg.QuietSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Creates the roles a database needs on the destination, with the source's attributes and,
 * where the source lets pgferry read them (superuser), their password hashes. Roles that
 * already exist are left unchanged.
 */
@Component
public class RoleCopier {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String ROLE_ATTRIBUTES = """
            SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
                   rolbypassrls, rolconnlimit, """ + RoleInfo.VALID_UNTIL + "\n" + """
            FROM pg_roles WHERE rolname = ANY (?)""";

    /** In the transaction that creates the role: the fidelity check tells pgferry's roles from reused ones. */
    private static final String RECORD_CREATED = "INSERT INTO pgferry.created_role (role_oid, role, mapping) "
            + "SELECT oid, rolname, ? FROM pg_roles WHERE rolname = ? ON CONFLICT (role_oid) DO NOTHING";

    private final PgConnector connector;
    private final ControlSchema controlSchema;

    public RoleCopier(PgConnector connector, ControlSchema controlSchema) {
        this.connector = connector;
        this.controlSchema = controlSchema;
    }

    public void copy(Mapping mapping, String database, List<String> roles, List<Membership> memberships)
            throws ActionException {
        Map<String, RoleInfo> attributes = new HashMap<>();
        Map<String, String> hashes = new HashMap<>();
        List<String[]> settings = new ArrayList<>();
        try (Connection c = connector.act(mapping.source(), database)) {
            try (PreparedStatement s = c.prepareStatement(ROLE_ATTRIBUTES)) {
                s.setArray(1, c.createArrayOf("text", roles.toArray()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        attributes.put(rs.getString(1), new RoleInfo(rs.getString(1), rs.getBoolean(2),
                                rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6),
                                rs.getBoolean(7), rs.getBoolean(8), rs.getInt(9), rs.getString(10)));
                    }
                }
            }
            hashes.putAll(passwordHashes(c, roles));
            settings.addAll(roleSettings(c, roles));
        } catch (SQLException e) {
            throw ActionException.from("read roles on the source", e);
        }
        try {
            controlSchema.ensure(mapping.destination());
        } catch (SQLException e) {
            throw ActionException.from("prepare pgferry's records on the destination", e);
        }
        try (Connection c = connector.act(mapping.destination(), mapping.destination().maintenanceDatabase());
                Statement s = c.createStatement()) {
            boolean superuser = isSuperuser(c);
            // CREATE ROLE carries the password hash: kept out of the destination's log where the user may
            QuietSession.quiet(c);
            if (!superuser && c.getMetaData().getDatabaseMajorVersion() >= 16) {
                // a CREATEROLE user gets only ADMIN on the roles it creates; to create the database,
                // restore objects and copy rows as their owners (and for the subscription's apply
                // worker to act as them) it must also be able to SET ROLE to them and use their rights
                s.execute("SET createrole_self_grant = 'set, inherit'");
            }
            for (String role : roles) {
                RoleInfo info = attributes.get(role);
                if (info != null && createdNow(c, RoleSql.createRole(info, hashes.get(role), superuser), role,
                        mapping.name())) {
                    for (String[] setting : settings) {
                        if (setting[0].equals(role)) {
                            executeTolerating(s, RoleSql.setting(role, setting[1]), "set " + setting[1] + " for "
                                    + role);
                        }
                    }
                }
            }
            for (Membership m : memberships) {
                executeTolerating(s, RoleSql.grantMembership(m.role(), m.member()),
                        "grant " + m.role() + " to " + m.member());
            }
        } catch (SQLException e) {
            throw ActionException.from("create roles on the destination", e);
        }
    }

    /** Settings the roles carry everywhere (ALTER ROLE ... SET), as "name=value". */
    private static List<String[]> roleSettings(Connection c, List<String> roles) throws SQLException {
        List<String[]> settings = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT r.rolname, unnest(s.setconfig) FROM pg_db_role_setting s "
                + "JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = 0 AND r.rolname = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    settings.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return settings;
    }

    /**
     * Creates the role and records it as pgferry's in one transaction; false when it already
     * existed (then it is left exactly as it is, and not recorded).
     */
    private static boolean createdNow(Connection c, String sql, String role, String mapping) throws ActionException {
        try {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); PreparedStatement record = c.prepareStatement(RECORD_CREATED)) {
                s.execute(sql);
                record.setString(1, mapping);
                record.setString(2, role);
                record.executeUpdate();
            }
            c.commit();
            return true;
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is broken: the failure below says so
            }
            if (PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                return false;
            }
            throw ActionException.from("create role " + role, e);
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection is closed by the caller
            }
        }
    }

    /** Readable only with superuser (or pg_read_all_data on pg_authid); otherwise none. */
    private static Map<String, String> passwordHashes(Connection c, List<String> roles) throws SQLException {
        Map<String, String> hashes = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY (?) AND rolpassword IS NOT NULL")) {
            s.setArray(1, c.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    hashes.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
        }
        return hashes;
    }

    private static boolean isSuperuser(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The statement may carry a password hash: on failure only the server's message is kept. */
    private static void executeTolerating(Statement s, String sql, String what) throws ActionException {
        try {
            s.execute(sql);
        } catch (SQLException e) {
            if (!PgErrors.DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw ActionException.from(what, e);
            }
        }
    }
}
