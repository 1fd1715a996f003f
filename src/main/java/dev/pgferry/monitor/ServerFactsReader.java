package dev.pgferry.monitor;

import dev.pgferry.monitor.ServerFacts.Membership;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import dev.pgferry.monitor.ServerFacts.SlotInfo;
import dev.pgferry.monitor.ServerFacts.UserRights;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads {@link ServerFacts} and {@link SourceFacts} over an open connection. */
final class ServerFactsReader {

    private ServerFactsReader() {
    }

    static ServerFacts server(Connection connection, JdbcClient jdbc) throws SQLException {
        Map<String, String> settings = new HashMap<>();
        jdbc.sql(ServerFactQueries.SETTINGS).query(rs -> {
            settings.put(rs.getString(1), rs.getString(2));
        });
        int[] capacity = jdbc.sql(ServerFactQueries.CAPACITY).query((rs, n) -> new int[] {rs.getInt("slots"),
            rs.getInt("senders"), rs.getInt("workers"), rs.getInt("origins")}).single();
        UserRights user = jdbc.sql(ServerFactQueries.USER_RIGHTS).query((rs, n) -> new UserRights(rs.getString("rolname"),
                rs.getBoolean("rolsuper"), rs.getBoolean("rolreplication"), rs.getBoolean("rolcreatedb"),
                rs.getBoolean("create_subscription"), rs.getBoolean("read_all_data"))).single();
        Map<String, RoleInfo> roles = new LinkedHashMap<>();
        jdbc.sql(ServerFactQueries.ROLES).query(rs -> {
            roles.put(rs.getString("rolname"), new RoleInfo(rs.getString("rolname"), rs.getBoolean("rolsuper"),
                    rs.getBoolean("rolinherit"), rs.getBoolean("rolcreaterole"), rs.getBoolean("rolcreatedb"),
                    rs.getBoolean("rolcanlogin"), rs.getBoolean("rolreplication"), rs.getBoolean("rolbypassrls"),
                    rs.getInt("rolconnlimit"), rs.getString("valid_until")));
        });
        List<Membership> memberships = jdbc.sql(ServerFactQueries.MEMBERSHIPS)
                .query((rs, n) -> new Membership(rs.getString("role"), rs.getString("member"))).list();
        Map<String, SlotInfo> slots = new HashMap<>();
        jdbc.sql(ServerFactQueries.SLOTS).query(rs -> {
            slots.put(rs.getString(1), new SlotInfo(rs.getString(1), rs.getString(2), rs.getString(3),
                    rs.getString(4)));
        });
        Map<String, String> subscriptions = new HashMap<>();
        jdbc.sql(ServerFactQueries.SUBSCRIPTIONS).query(rs -> {
            subscriptions.put(rs.getString(1), rs.getString(2));
        });
        Set<String> extensions = new HashSet<>(jdbc.sql(ServerFactQueries.AVAILABLE_EXTENSIONS).query(String.class).list());
        boolean passwordsReadable = jdbc.sql(ServerFactQueries.PASSWORDS_READABLE).query(Boolean.class).single();
        Set<String> withoutPassword = passwordsReadable
                ? new HashSet<>(jdbc.sql(ServerFactQueries.LOGIN_ROLES_WITHOUT_PASSWORD).query(String.class).list())
                : Set.of();
        int major = connection.getMetaData().getDatabaseMajorVersion();
        // what a user that is no superuser may restore: as which owners, which extensions
        Set<String> canBecome = user.superuser() ? Set.of() : new HashSet<>(jdbc.sql(major >= 16
                ? ServerFactQueries.ROLES_USER_CAN_BECOME_16 : ServerFactQueries.ROLES_USER_CAN_BECOME_15).query(String.class).list());
        Set<String> superuserExtensions = user.superuser() ? Set.of()
                : new HashSet<>(jdbc.sql(ServerFactQueries.EXTENSIONS_NEEDING_SUPERUSER).query(String.class).list());
        return new ServerFacts(major, settings, capacity[0], capacity[1], capacity[2], capacity[3], user, roles,
                memberships, slots, subscriptions, extensions, passwordsReadable, withoutPassword, canBecome,
                superuserExtensions, jdbc.sql(ServerFactQueries.RECORDS_WRITABLE).query(Boolean.class).single());
    }

    static Map<String, DatabaseInfo> databases(JdbcClient jdbc) {
        Map<String, DatabaseInfo> databases = new LinkedHashMap<>();
        jdbc.sql(ServerFactQueries.DATABASES).query(rs -> {
            databases.put(rs.getString("datname"), new DatabaseInfo(rs.getString("encoding"),
                    rs.getString("datcollate"), rs.getString("datctype"), rs.getString("provider"),
                    rs.getString("locale"), rs.getString("owner"), strings(rs.getArray("privileges")),
                    strings(rs.getArray("settings")), strings(rs.getArray("role_settings")), rs.getLong("oid")));
        });
        return databases;
    }

    private static List<String> strings(java.sql.Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    static List<ColumnFacts.Column> columns(JdbcClient jdbc) {
        return jdbc.sql(ServerFactQueries.COLUMNS).query((rs, n) -> new ColumnFacts.Column(rs.getString("schema"),
                rs.getString("table"), rs.getString("name"), rs.getString("type"), rs.getBoolean("not_null"),
                rs.getBoolean("has_default"))).list();
    }

    static Set<String> keyedTables(JdbcClient jdbc) {
        return new HashSet<>(jdbc.sql(ServerFactQueries.KEYED_TABLES).query(String.class).list());
    }

    /** Exact, one cheap probe per table: whether it holds any row (estimates may lag). */
    static Set<String> nonEmptyTables(JdbcClient jdbc, List<ColumnFacts.Column> columns) {
        Set<String> nonEmpty = new HashSet<>();
        columns.stream().map(c -> new String[] {c.schema(), c.table()}).map(t -> t[0] + "\u0000" + t[1]).distinct()
                .forEach(key -> {
                    String[] parts = key.split("\u0000");
                    String sql = "SELECT EXISTS (SELECT 1 FROM " + dev.pgferry.pg.Identifiers.qualified(parts[0],
                            parts[1]) + ")";
                    if (jdbc.sql(sql).query(Boolean.class).single()) {
                        nonEmpty.add(parts[0] + "." + parts[1]);
                    }
                });
        return nonEmpty;
    }

    static SourceFacts source(JdbcClient jdbc, String publication, boolean restoredByNonSuperuser) {
        List<SourceFacts.Relation> relations = jdbc.sql(ServerFactQueries.RELATIONS).query((rs, n) ->
                new SourceFacts.Relation(rs.getString("schema"), rs.getString("name"), rs.getBoolean("partitioned"),
                        rs.getBoolean("partition"), rs.getString("root_schema"), rs.getString("root_name"),
                        rs.getBoolean("unlogged"), rs.getBoolean("has_key"), rs.getBoolean("readable"),
                        rs.getBoolean("owned"))).list();
        SourceFacts.LargeObjects largeObjects = jdbc.sql(ServerFactQueries.LARGE_OBJECTS).query((rs, n) ->
                new SourceFacts.LargeObjects(rs.getLong("objects"), rs.getLong("unreadable"),
                        rs.getArray("first_unreadable") == null ? List.of()
                                : Arrays.asList((Long[]) rs.getArray("first_unreadable").getArray()))).single();
        Set<String> extensions = new HashSet<>(jdbc.sql(ServerFactQueries.EXTENSIONS).query(String.class).list());
        List<String> unreadable = jdbc.sql(ServerFactQueries.UNREADABLE_SEQUENCES).query(String.class).list();
        boolean canCreate = jdbc.sql(ServerFactQueries.CAN_CREATE).query(Boolean.class).single();
        Set<String> roles = new HashSet<>(jdbc.sql(ServerFactQueries.NEEDED_ROLES).query(String.class).list());
        Boolean viaRoot = jdbc.sql(ServerFactQueries.PUBLICATION_VIA_ROOT).param(publication).query(Boolean.class)
                .optional().orElse(null);
        Map<String, SourceFacts.Owned> owners = new java.util.TreeMap<>();
        List<String> superuserOnly = List.of();
        if (restoredByNonSuperuser) {
            jdbc.sql(ServerFactQueries.OWNERS).query(rs -> {
                owners.put(rs.getString("owner"), new SourceFacts.Owned(rs.getLong("objects"),
                        strings(rs.getArray("named"))));
            });
            superuserOnly = jdbc.sql(ServerFactQueries.SUPERUSER_ONLY_OBJECTS).query(String.class).list();
        }
        return new SourceFacts(relations, largeObjects.objects(), extensions, unreadable, canCreate, roles, viaRoot,
                owners, superuserOnly, largeObjects);
    }
}
