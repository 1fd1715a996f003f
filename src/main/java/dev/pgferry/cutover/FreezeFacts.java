package dev.pgferry.cutover;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.FreezePlan.Membership;
import dev.pgferry.cutover.FreezePlan.RoleFacts;
import dev.pgferry.cutover.FreezePlan.Use;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reads, read-only, what a freeze of a mapping's source databases is decided on: the roles, how
 * each uses those databases (in the databases themselves: owners and grantees of their objects;
 * on the server: owners, grantees and settings of the databases), memberships, sessions, and each
 * database's own default_transaction_read_only. {@link FreezePlan} decides.
 */
@Component
public class FreezeFacts {

    /** Every role but the predefined ones; {@code elsewhere}: other databases it has sessions in, owns, has settings in, or was granted privileges on. */
    static final String ROLES = """
            SELECT r.rolname AS name, r.rolcanlogin AS login, r.rolsuper AS superuser, r.rolreplication AS replication,
                   r.rolname = current_user AS pgferry,
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.usesysid = r.oid
                           AND a.backend_type = 'client backend' AND a.datname = ANY (?)) AS sessions,
                   ARRAY(SELECT u.datname FROM (
                           SELECT a.datname::text FROM pg_stat_activity a
                           WHERE a.usesysid = r.oid AND a.backend_type = 'client backend' AND a.datname IS NOT NULL
                           UNION SELECT d.datname::text FROM pg_database d WHERE d.datdba = r.oid
                           UNION SELECT d.datname::text FROM pg_db_role_setting s
                                 JOIN pg_database d ON d.oid = s.setdatabase WHERE s.setrole = r.oid
                           UNION SELECT d.datname::text FROM pg_database d, aclexplode(d.datacl) x
                                 WHERE x.grantee = r.oid) u
                         WHERE u.datname <> ALL (?) ORDER BY 1) AS elsewhere
            FROM pg_roles r
            WHERE r.rolname !~ '^pg_'
            ORDER BY r.rolname""";

    /** How roles use the databases as the server knows it: ownership, privileges granted on them, settings. */
    static final String DATABASE_USES = """
            SELECT pg_get_userbyid(d.datdba) AS role, d.datname AS database, 'owns the database' AS how
            FROM pg_database d WHERE d.datname = ANY (?)
            UNION
            SELECT pg_get_userbyid(x.grantee), d.datname, 'was granted ' || x.privilege_type || ' on the database'
            FROM pg_database d, aclexplode(d.datacl) x
            WHERE d.datname = ANY (?) AND x.grantee <> 0 AND x.grantee <> d.datdba
            UNION
            SELECT pg_get_userbyid(s.setrole), d.datname, 'has settings in the database'
            FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            WHERE d.datname = ANY (?) AND s.setrole <> 0""";

    /**
     * Run in each database: the roles that own or hold privileges on its objects (schemas,
     * tables and the like, functions, default privileges), PUBLIC and predefined roles left out.
     */
    static final String OBJECT_USES = """
            WITH user_ns AS (SELECT oid, nspowner, nspacl FROM pg_namespace
                             WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'),
                 uses AS (
                     SELECT nspowner AS role, 'owns objects' AS how FROM user_ns
                     UNION SELECT x.grantee, 'holds privileges on objects' FROM user_ns, aclexplode(nspacl) x
                           WHERE x.grantee <> nspowner
                     UNION SELECT c.relowner, 'owns objects' FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
                     UNION SELECT x.grantee, 'holds privileges on objects'
                           FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace, aclexplode(c.relacl) x
                           WHERE x.grantee <> c.relowner
                     UNION SELECT p.proowner, 'owns objects' FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
                     UNION SELECT x.grantee, 'holds privileges on objects'
                           FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace, aclexplode(p.proacl) x
                           WHERE x.grantee <> p.proowner
                     UNION SELECT defaclrole, 'sets default privileges' FROM pg_default_acl
                     UNION SELECT x.grantee, 'holds default privileges' FROM pg_default_acl, aclexplode(defaclacl) x)
            SELECT DISTINCT r.rolname AS role, u.how FROM uses u JOIN pg_roles r ON r.oid = u.role
            WHERE r.rolname !~ '^pg_'""";

    static final String MEMBERSHIPS = """
            SELECT r.rolname AS role, m.rolname AS member
            FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member""";

    /** The database's own default_transaction_read_only (not one of a role in it); no row without the database. */
    static final String READ_ONLY = """
            SELECT (SELECT substr(setting, length('default_transaction_read_only=') + 1)
                    FROM pg_db_role_setting s, unnest(s.setconfig) AS setting
                    WHERE s.setdatabase = d.oid AND s.setrole = 0
                      AND setting LIKE 'default\\_transaction\\_read\\_only=%') AS previous
            FROM pg_database d WHERE d.datname = ?""";

    private final PgConnector connector;

    public FreezeFacts(PgConnector connector) {
        this.connector = connector;
    }

    /** Reads the facts and decides the plan (read-only on the source). */
    public FreezePlan plan(Mapping mapping, List<String> databases) throws SQLException {
        return plan(mapping, mapping.source(), databases);
    }

    /** The same, of the databases on {@code where} (the destination, when a turned-around mapping rolls back). */
    public FreezePlan plan(Mapping mapping, dev.pgferry.config.Instance where, List<String> databases)
            throws SQLException {
        List<RoleFacts> roles;
        List<Use> uses = new ArrayList<>();
        List<Membership> memberships;
        Map<String, String> readOnly = new HashMap<>();
        // read-only: the observation sessions kept between ticks serve (the cutover page asks on every poll)
        try (Connection c = connector.observe(where, where.maintenanceDatabase())) {
            Array names = c.createArrayOf("text", databases.toArray());
            var jdbc = Jdbc.over(c);
            roles = jdbc.sql(ROLES).params(names, names).query((rs, n) -> new RoleFacts(rs.getString("name"),
                    rs.getBoolean("login"), rs.getBoolean("superuser"), rs.getBoolean("replication"),
                    rs.getBoolean("pgferry"), rs.getLong("sessions"),
                    Arrays.asList((String[]) rs.getArray("elsewhere").getArray()))).list();
            uses.addAll(jdbc.sql(DATABASE_USES).params(names, names, names).query((rs, n) -> new Use(
                    rs.getString("role"), rs.getString("database"), rs.getString("how"))).list());
            memberships = jdbc.sql(MEMBERSHIPS).query((rs, n) -> new Membership(rs.getString("role"),
                    rs.getString("member"))).list();
            for (String database : databases) {
                readOnlySetting(jdbc, database).ifPresent(previous -> readOnly.put(database, previous.orElse(null)));
            }
        }
        for (String database : databases) {
            try (Connection c = connector.observe(where, database)) {
                uses.addAll(Jdbc.over(c).sql(OBJECT_USES).query((rs, n) -> new Use(rs.getString("role"), database,
                        rs.getString("how"))).list());
            }
        }
        return FreezePlan.of(databases, roles, uses, memberships, mapping.freezeRoles(), readOnly);
    }

    /** A database's own default_transaction_read_only: empty without the database, empty inside when unset. */
    static Optional<Optional<String>> readOnlySetting(JdbcClient jdbc, String database) {
        return jdbc.sql(READ_ONLY).param(database).query((rs, n) -> Optional.ofNullable(rs.getString("previous")))
                .optional();
    }
}
