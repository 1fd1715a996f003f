package dev.pgferry.schema;

import dev.pgferry.pg.CaptureObjects;
/**
 * One catalog query that lists every object of a database's user schemas as (kind, name,
 * detail), written so that 15 and 18 render the same object the same way: privileges are
 * compared as grantee:privilege pairs with their defaults filled in and without MAINTAIN (new in
 * 17, granted to owners by default there), definitions come from pg_get_*def. Comments are looked
 * up only for objects created after initdb (and schemas): describing the thousands of built-in
 * objects' comments took a third of the query's time.
 */
final class FingerprintQuery {

    private FingerprintQuery() {
    }

    /**
     * How often the catalogs that hold a schema were written to in this database (inserts,
     * updates and deletes counted by the statistics system): any DDL moves it, so an unchanged
     * value means the schema need not be compared again. Cheap: one row per catalog, no parsing.
     */
    static final String CATALOG_WRITES = """
            SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint || '/' || coalesce(max(stats_reset::text), '')
            FROM pg_stat_sys_tables s, (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) d
            WHERE s.schemaname = 'pg_catalog' AND s.relname IN ('pg_class', 'pg_attribute', 'pg_attrdef',
                  'pg_constraint', 'pg_index', 'pg_namespace', 'pg_proc', 'pg_type', 'pg_enum', 'pg_trigger',
                  'pg_policy', 'pg_rewrite', 'pg_description', 'pg_default_acl', 'pg_extension', 'pg_sequence',
                  'pg_inherits', 'pg_collation', 'pg_authid', 'pg_auth_members', 'pg_db_role_setting')""";

    /**
     * Privileges as a sorted text of grantee:PRIVILEGE(*), MAINTAIN left out. The pseudo-role is
     * PUBLIC, a role is its quoted name: a role named "PUBLIC" stays apart from everyone.
     */
    private static String acl(String acl, String type, String owner) {
        return "(SELECT coalesce(string_agg(item, ',' ORDER BY item), '') FROM (" + PrivilegeItems.select(acl, type,
                owner) + ") items)";
    }

    private static final String USER_NAMESPACE = CaptureObjects.expand("USER_SCHEMA(n.nspname)");

    // a partition's identity column is its parent's: 17 and later show it on the partition too, 16
    // and earlier not, so a partition's identity is left out (the parent's is compared)
    static final String SQL = """
            WITH ns AS (SELECT n.oid, n.nspname FROM pg_namespace n WHERE %1$s),
            ext_objects AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
            SELECT 'schema' AS kind, quote_ident(n.nspname) AS name,
                   'owner ' || pg_get_userbyid(n.nspowner) || ' acl ' || %2$s AS detail
            FROM pg_namespace n WHERE %1$s
            UNION ALL
            SELECT 'relation ' || c.relkind::text, quote_ident(ns.nspname) || '.' || quote_ident(c.relname),
                   'owner ' || pg_get_userbyid(c.relowner) || ' persistence ' || c.relpersistence::text
                   || ' acl ' || %3$s
                   || coalesce(' partition of ' || (SELECT i.inhparent::regclass::text FROM pg_inherits i
                                                      WHERE i.inhrelid = c.oid), '')
                   || coalesce(' bound ' || pg_get_expr(c.relpartbound, c.oid), '')
                   || coalesce(' key ' || CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, '')
                   || coalesce(' options ' || array_to_string(c.reloptions, ','), '')
                   || coalesce(' rls ' || CASE WHEN c.relrowsecurity THEN 'on' END, '')
            FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.oid NOT IN (SELECT objid FROM ext_objects)
            UNION ALL
            SELECT 'column', quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
                   format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || CASE WHEN c.relispartition THEN ''
                           ELSE CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default'
                                ELSE '' END END
                   || CASE a.attgenerated WHEN 's' THEN ' generated stored' WHEN 'v' THEN ' generated virtual' ELSE '' END
                   || coalesce(' collate ' || CASE WHEN a.attcollation <> t.typcollation
                                                   THEN (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END, '')
                   || coalesce(' acl ' || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x), '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
                 JOIN pg_type t ON t.oid = a.atttypid
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND c.oid NOT IN (SELECT objid FROM ext_objects)
            UNION ALL
            SELECT 'constraint', quote_ident(ns.nspname) || '.' || coalesce(quote_ident(r.relname) || '.', '')
                   || quote_ident(k.conname), pg_get_constraintdef(k.oid)
                   || CASE WHEN k.condeferrable THEN ' deferrable' ELSE '' END
            FROM pg_constraint k JOIN ns ON ns.oid = k.connamespace LEFT JOIN pg_class r ON r.oid = k.conrelid
            WHERE k.contype <> 'n' AND (k.conparentid = 0 OR k.conparentid IS NULL)
            UNION ALL
            SELECT 'index', quote_ident(ns.nspname) || '.' || quote_ident(c.relname), pg_get_indexdef(c.oid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
            UNION ALL
            SELECT 'view', quote_ident(ns.nspname) || '.' || quote_ident(c.relname),
                   regexp_replace(pg_get_viewdef(c.oid), '\\s+', ' ', 'g')
            FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
            UNION ALL
            SELECT 'function', quote_ident(ns.nspname) || '.' || quote_ident(p.proname)
                   || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                   p.prokind::text || ' ' || coalesce(pg_get_function_result(p.oid), '') || ' lang ' || l.lanname
                   || ' volatile ' || p.provolatile::text || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END
                   || ' owner ' || pg_get_userbyid(p.proowner) || ' acl ' || %4$s
                   || ' body ' || md5(coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), ''))
            FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
            WHERE p.oid NOT IN (SELECT objid FROM ext_objects)
            UNION ALL
            SELECT 'trigger', quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(t.tgname),
                   pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND (t.tgparentid = 0 OR t.tgparentid IS NULL)
            UNION ALL
            SELECT 'policy', quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(p.polname),
                   p.polcmd::text || CASE WHEN p.polpermissive THEN ' permissive' ELSE ' restrictive' END
                   || ' to ' || (SELECT string_agg(item, ',' ORDER BY item) FROM (SELECT CASE WHEN r = 0
                                 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END AS item
                                 FROM unnest(p.polroles) r) items)
                   || coalesce(' using ' || pg_get_expr(p.polqual, p.polrelid), '')
                   || coalesce(' check ' || pg_get_expr(p.polwithcheck, p.polrelid), '')
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN ns ON ns.oid = c.relnamespace
            UNION ALL
            SELECT 'rule', quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(r.rulename),
                   regexp_replace(pg_get_ruledef(r.oid), '\\s+', ' ', 'g')
            FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN ns ON ns.oid = c.relnamespace
            WHERE r.rulename <> '_RETURN'
            UNION ALL
            SELECT 'type ' || t.typtype::text, quote_ident(ns.nspname) || '.' || quote_ident(t.typname),
                   'owner ' || pg_get_userbyid(t.typowner)
                   || coalesce(' labels ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                                              FROM pg_enum e WHERE e.enumtypid = t.oid), '')
                   || coalesce(' base ' || CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, '')
                   || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || t.typdefault, '')
            FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
            WHERE t.typtype IN ('e', 'd', 'c', 'r') AND t.oid NOT IN (SELECT objid FROM ext_objects)
              AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
            UNION ALL
            SELECT 'sequence', quote_ident(ns.nspname) || '.' || quote_ident(c.relname),
                   format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
                   || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache
                   || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
                   || coalesce(' owned by ' || (SELECT d.refobjid::regclass::text || '.' || a.attname FROM pg_depend d
                        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                          AND d.refclassid = 'pg_class'::regclass LIMIT 1), '')
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON ns.oid = c.relnamespace
            UNION ALL
            SELECT 'comment', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
            FROM pg_description d
            WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass)
              AND d.classoid IN ('pg_class'::regclass, 'pg_namespace'::regclass, 'pg_proc'::regclass,
                                 'pg_type'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass,
                                 'pg_policy'::regclass)
              AND CASE WHEN d.classoid = 'pg_namespace'::regclass THEN d.objoid IN (SELECT oid FROM ns)
                       ELSE (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema IN (SELECT nspname FROM ns) END
            UNION ALL
            SELECT 'extension', quote_ident(e.extname), 'schema ' || e.extnamespace::regnamespace::text
            FROM pg_extension e
            UNION ALL
            SELECT 'default privileges', pg_get_userbyid(a.defaclrole) || coalesce(' in ' || a.defaclnamespace::regnamespace::text, '')
                   || ' on ' || a.defaclobjtype::text,
                   (SELECT string_agg(item, ',' ORDER BY item) FROM (SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                           ELSE quote_ident(pg_get_userbyid(x.grantee)) END || ':' || x.privilege_type
                           || CASE WHEN x.is_grantable THEN '*' ELSE '' END AS item
                    FROM aclexplode(a.defaclacl) x WHERE x.privilege_type <> 'MAINTAIN') items)
            FROM pg_default_acl a
            """.formatted(USER_NAMESPACE, acl("n.nspacl", "n", "n.nspowner"),
            "CASE WHEN c.relkind = 'S' THEN " + acl("c.relacl", "s", "c.relowner") + " ELSE "
                    + acl("c.relacl", "r", "c.relowner") + " END",
            acl("p.proacl", "f", "p.proowner"));

    /**
     * The roles the database needs (owners and grantees, and their members), as (role, name,
     * detail) with every attribute the catalogs hold: the attributes, connection limit, expiry,
     * settings everywhere and in this database, and memberships among those roles (the ones
     * pgferry copies). Parameters: whether SUPERUSER, REPLICATION and BYPASSRLS are compared
     * (not when the destination user may not grant them: pre-flight warned, the roles were created
     * without); the roles a freeze set NOLOGIN that could log in before it (compared as they were:
     * the freeze is undone at unfreeze, it is no drift); and the two connecting users' names, left
     * out (their rights differ on purpose).
     */
    static final String ROLE = "role";

    static final String ROLES = """
            WITH needed_roles AS (""" + dev.pgferry.monitor.ServerFactQueries.NEEDED_ROLES + """
            )
            SELECT 'role' AS kind, quote_ident(r.rolname) AS name,
                   CASE WHEN ? THEN 'superuser ' || r.rolsuper || ' replication ' || r.rolreplication
                                    || ' bypassrls ' || r.rolbypassrls || ' ' ELSE '' END
                   || 'inherit ' || r.rolinherit || ' createrole ' || r.rolcreaterole || ' createdb ' || r.rolcreatedb
                   || ' login ' || (r.rolcanlogin OR r.rolname = ANY (?)) || ' connection limit ' || r.rolconnlimit
                   || ' valid until ' || coalesce(""" + dev.pgferry.monitor.ServerFacts.RoleInfo.VALID_UNTIL_VALUE + """
            , 'none')
                   || coalesce(' settings ' || (SELECT string_agg(x, ',' ORDER BY x) FROM pg_db_role_setting s,
                          unnest(s.setconfig) x WHERE s.setrole = r.oid AND s.setdatabase = 0), '')
                   || coalesce(' settings in this database ' || (SELECT string_agg(x, ',' ORDER BY x)
                          FROM pg_db_role_setting s, unnest(s.setconfig) x WHERE s.setrole = r.oid
                           AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())), '')
                   || coalesce(' member of ' || (SELECT string_agg(quote_ident(g.rolname), ',' ORDER BY g.rolname)
                          FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
                          WHERE a.member = r.oid AND g.rolname IN (SELECT rolname FROM needed_roles)), '') AS detail
            FROM pg_roles r WHERE r.rolname IN (SELECT rolname FROM needed_roles) AND r.rolname <> ALL (?)""";
}
