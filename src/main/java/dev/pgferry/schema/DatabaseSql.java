package dev.pgferry.schema;

import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.monitor.DatabaseInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Pure: the statements that give a destination database the source's owner, privileges and settings. */
final class DatabaseSql {

    private static final Set<String> PRIVILEGES = Set.of("CONNECT", "CREATE", "TEMPORARY");

    private DatabaseSql() {
    }

    static List<String> configure(String database, DatabaseInfo source, List<String> currentGrantees,
            List<String> rolesWithSettings) {
        String db = quote(database);
        List<String> sql = new ArrayList<>();
        if (source.owner() != null) {
            sql.add("ALTER DATABASE " + db + " OWNER TO " + quote(source.owner()));
        }
        for (String grantee : currentGrantees) {
            sql.add("REVOKE ALL ON DATABASE " + db + " FROM " + grantee(grantee));
        }
        for (String privilege : source.privileges()) {
            int colon = privilege.lastIndexOf(':');
            String grantee = privilege.substring(0, colon);
            String what = privilege.substring(colon + 1);
            boolean grantable = what.endsWith("*");
            what = grantable ? what.substring(0, what.length() - 1) : what;
            if (!PRIVILEGES.contains(what)) {
                throw new IllegalArgumentException("unexpected database privilege: " + what);
            }
            sql.add("GRANT " + what + " ON DATABASE " + db + " TO " + grantee(grantee)
                    + (grantable ? " WITH GRANT OPTION" : ""));
        }
        sql.add("ALTER DATABASE " + db + " RESET ALL");
        for (String setting : source.settings()) {
            sql.add("ALTER DATABASE " + db + " SET " + GucValue.assignment(setting));
        }
        for (String role : rolesWithSettings) {
            sql.add("ALTER ROLE " + quote(role) + " IN DATABASE " + db + " RESET ALL");
        }
        for (String roleSetting : source.roleSettings()) {
            int bar = roleSetting.indexOf('|');
            sql.add("ALTER ROLE " + quote(roleSetting.substring(0, bar)) + " IN DATABASE " + db + " SET "
                    + GucValue.assignment(roleSetting.substring(bar + 1)));
        }
        return sql;
    }

    /** The empty grantee is the pseudo-role PUBLIC; any other is a role, quoted (even one named "PUBLIC"). */
    private static String grantee(String name) {
        return name.isEmpty() ? "PUBLIC" : quote(name);
    }
}
