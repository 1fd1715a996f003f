package dev.pgferry.schema;

/**
 * How pgferry renders an object's privileges, wherever it compares them: one row per
 * grantee:PRIVILEGE, '*' when grantable, the grantee quoted or PUBLIC (a role named "PUBLIC" stays
 * apart from everyone), defaults filled in, MAINTAIN (new in 17, granted to owners by default
 * there) left out. The fingerprint and the schema changes' definitions must render them alike.
 */
public final class PrivilegeItems {

    private PrivilegeItems() {
    }

    /** A SELECT of the items, each as column {@code item}, of {@code acl} (of kind {@code type}, owned by {@code owner}). */
    public static String select(String acl, String type, String owner) {
        return "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END"
                + " || ':' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END AS item"
                + " FROM aclexplode(coalesce(" + acl + ", acldefault('" + type + "', " + owner + "))) a"
                + " WHERE a.privilege_type <> 'MAINTAIN'";
    }
}
