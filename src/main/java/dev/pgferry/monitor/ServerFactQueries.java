package dev.pgferry.monitor;

import dev.pgferry.pg.CaptureObjects;
/**
 * Catalog queries behind the pre-flight checks; read-only, valid on PostgreSQL 13 to 18.
 * Columns that differ between versions are read through to_jsonb so one text serves all.
 */
public final class ServerFactQueries {

    private ServerFactQueries() {
    }

    static final String SETTINGS = """
            SELECT name, setting FROM pg_settings
            WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders', 'max_worker_processes',
                           'max_logical_replication_workers', 'max_sync_workers_per_subscription',
                           'max_active_replication_origins', 'max_slot_wal_keep_size')""";

    static final String CAPACITY = """
            SELECT (SELECT count(*) FROM pg_replication_slots)::int AS slots,
                   (SELECT count(*) FROM pg_stat_replication)::int AS senders,
                   (SELECT count(*) FROM pg_stat_subscription WHERE pid IS NOT NULL)::int AS workers,
                   (SELECT count(*) FROM pg_replication_origin)::int AS origins""";

    /** Predefined roles are looked up by name: pg_create_subscription exists from 16 on. */
    static final String USER_RIGHTS = """
            SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolcreatedb,
                   EXISTS (SELECT 1 FROM pg_roles p WHERE p.rolname = 'pg_create_subscription'
                           AND pg_has_role(r.oid, p.oid, 'USAGE')) AS create_subscription,
                   EXISTS (SELECT 1 FROM pg_roles p WHERE p.rolname = 'pg_read_all_data'
                           AND pg_has_role(r.oid, p.oid, 'USAGE')) AS read_all_data
            FROM pg_roles r WHERE r.rolname = current_user""";

    static final String ROLES = """
            SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
                   rolbypassrls, rolconnlimit, """ + ServerFacts.RoleInfo.VALID_UNTIL + "\n" + """
            FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'""";

    static final String MEMBERSHIPS = """
            SELECT r.rolname AS role, m.rolname AS member
            FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
            WHERE r.rolname NOT LIKE 'pg\\_%'""";

    /** Password hashes live in pg_authid: superusers (and pg_read_all_data members) read it. */
    static final String PASSWORDS_READABLE = "SELECT has_table_privilege('pg_authid', 'SELECT')";

    static final String LOGIN_ROLES_WITHOUT_PASSWORD = """
            SELECT rolname FROM pg_authid WHERE rolcanlogin AND rolpassword IS NULL AND rolname NOT LIKE 'pg\\_%'""";

    static final String SLOTS = "SELECT slot_name, slot_type, plugin, database FROM pg_replication_slots";

    static final String SUBSCRIPTIONS = """
            SELECT s.subname, d.datname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid""";

    static final String AVAILABLE_EXTENSIONS = "SELECT name FROM pg_available_extensions";

    /** Extensions whose default version only a superuser may create (not marked trusted). */
    static final String EXTENSIONS_NEEDING_SUPERUSER = """
            SELECT e.name FROM pg_available_extensions e JOIN pg_available_extension_versions v
              ON v.name = e.name AND v.version = e.default_version
            WHERE v.superuser AND NOT v.trusted""";

    /** Roles the user may SET ROLE to ('SET' from 16 on; before, membership). */
    static final String ROLES_USER_CAN_BECOME_16 = """
            SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'SET') AND rolname NOT LIKE 'pg\\_%'""";
    static final String ROLES_USER_CAN_BECOME_15 = """
            SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')
              AND rolname NOT LIKE 'pg\\_%'""";

    /**
     * Who owns the objects a schema copy restores, with a few of them named: pg_restore creates
     * each as its owner, which a destination user that is no superuser may only do for roles it can
     * become. Objects of extensions are left out (CREATE EXTENSION makes them).
     */
    static final String OWNERS = CaptureObjects.expand("""
            WITH owned(owner, object) AS (
                SELECT c.relowner, CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view '
                       WHEN 'm' THEN 'materialized view ' WHEN 'f' THEN 'foreign table ' ELSE 'table ' END
                       || format('%I.%I', n.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
                  AND USER_SCHEMA(n.nspname)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                  AND d.objid = c.oid AND d.deptype = 'e')
                UNION ALL
                SELECT p.proowner, CASE p.prokind WHEN 'a' THEN 'aggregate ' WHEN 'p' THEN 'procedure '
                       ELSE 'function ' END || p.oid::regprocedure::text
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE p.oid >= 16384 AND USER_SCHEMA(n.nspname)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                  AND d.objid = p.oid AND d.deptype = 'e')
                UNION ALL
                SELECT t.typowner, CASE t.typtype WHEN 'd' THEN 'domain ' ELSE 'type ' END || t.oid::regtype::text
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE t.oid >= 16384 AND (t.typtype IN ('d', 'e', 'r')
                       OR t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid
                                                      AND r.relkind = 'c'))
                  AND USER_SCHEMA(n.nspname)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                                  AND d.objid = t.oid AND d.deptype = 'e')
                UNION ALL
                SELECT n.nspowner, 'schema ' || quote_ident(n.nspname) FROM pg_namespace n
                WHERE USER_SCHEMA(n.nspname)
                UNION ALL
                SELECT d.datdba, 'database ' || quote_ident(d.datname) FROM pg_database d
                WHERE d.datname = current_database()
                UNION ALL
                SELECT l.lomowner, 'large object ' || l.oid FROM pg_largeobject_metadata l
            )
            SELECT r.rolname AS owner, count(*) AS objects, (array_agg(o.object ORDER BY o.object))[1:3] AS named
            FROM owned o JOIN pg_roles r ON r.oid = o.owner
            WHERE r.rolname NOT LIKE 'pg\\_%'
            GROUP BY r.rolname""");

    /**
     * Objects only a superuser may create, which a destination user that is no superuser cannot
     * restore: event triggers (but pgferry's own DDL capture, which its dumps leave out), and
     * functions in untrusted languages (C, internal, plperlu ...) that no extension makes
     * (aggregates, internal by definition, are anyone's to create).
     */
    static final String SUPERUSER_ONLY_OBJECTS = CaptureObjects.expand("""
            SELECT 'event trigger ' || quote_ident(e.evtname) FROM pg_event_trigger e
            WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                              AND d.objid = e.oid AND d.deptype = 'e')
              AND NOT_CAPTURE(e.evtname)
            UNION ALL
            SELECT 'function ' || p.oid::regprocedure::text || ' (language ' || l.lanname || ', not trusted)'
            FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.oid >= 16384 AND NOT l.lanpltrusted AND p.prokind <> 'a'
              AND USER_SCHEMA(n.nspname)
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
            ORDER BY 1""");

    /**
     * datlocprovider from 15, daticulocale 15-16, datlocale from 17; privileges with their defaults,
     * as grantee:PRIVILEGE(*) where the pseudo-role PUBLIC is the empty grantee (no role has an
     * empty name, while a role may be named "PUBLIC").
     */
    static final String DATABASES = """
            SELECT d.oid::bigint AS oid, d.datname, pg_encoding_to_char(d.encoding) AS encoding, d.datcollate, d.datctype,
                   to_jsonb(d) ->> 'datlocprovider' AS provider,
                   coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') AS locale,
                   pg_get_userbyid(d.datdba) AS owner,
                   ARRAY(SELECT CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END
                                || ':' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END
                         FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a ORDER BY 1) AS privileges,
                   ARRAY(SELECT c FROM pg_db_role_setting s, unnest(s.setconfig) c
                         WHERE s.setdatabase = d.oid AND s.setrole = 0 ORDER BY 1) AS settings,
                   ARRAY(SELECT pg_get_userbyid(s.setrole) || '|' || c FROM pg_db_role_setting s, unnest(s.setconfig) c
                         WHERE s.setdatabase = d.oid AND s.setrole <> 0 ORDER BY 1) AS role_settings
            FROM pg_database d WHERE NOT d.datistemplate AND d.datallowconn""";

    /** Tables and partitions with what replication needs of each. */
    static final String RELATIONS = CaptureObjects.expand("""
            SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'p' AS partitioned,
                   c.relispartition AS partition, rn.nspname AS root_schema, rc.relname AS root_name,
                   c.relpersistence = 'u' AS unlogged,
                   (c.relreplident = 'f'
                    OR (c.relreplident = 'd' AND EXISTS (SELECT 1 FROM pg_index i
                                                          WHERE i.indrelid = c.oid AND i.indisprimary))
                    OR (c.relreplident = 'i' AND EXISTS (SELECT 1 FROM pg_index i
                                                          WHERE i.indrelid = c.oid AND i.indisreplident))) AS has_key,
                   has_table_privilege(c.oid, 'SELECT') AS readable,
                   pg_has_role(c.relowner, 'USAGE') AS owned
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_class rc ON rc.oid = coalesce(pg_partition_root(c.oid), c.oid)
                 JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE c.relkind IN ('r', 'p') AND c.relpersistence IN ('p', 'u')
              AND USER_SCHEMA(n.nspname)
            ORDER BY 1, 2""");

    /**
     * The large objects, and the first few pgferry's user may not read (it reads them with
     * lo_get: superuser, a member of the owner, a grantee of SELECT, or lo_compat_privileges on;
     * pg_read_all_data does not cover them).
     */
    static final String LARGE_OBJECTS = """
            SELECT count(*) AS objects,
                   count(*) FILTER (WHERE NOT readable) AS unreadable,
                   (array_agg(oid::bigint ORDER BY oid) FILTER (WHERE NOT readable))[1:5] AS first_unreadable
            FROM (SELECT m.oid, current_setting('lo_compat_privileges')::boolean
                         OR pg_has_role(m.lomowner, 'USAGE')
                         OR EXISTS (SELECT 1 FROM aclexplode(m.lomacl) a WHERE a.privilege_type = 'SELECT'
                                    AND (a.grantee = 0 OR pg_has_role(a.grantee, 'USAGE'))) AS readable
                  FROM pg_largeobject_metadata m) l""";

    static final String EXTENSIONS = "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'";

    /** has_table_privilege, not has_sequence_privilege: the planner may call it on rows of any kind. */
    static final String UNREADABLE_SEQUENCES = CaptureObjects.expand("""
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'S' AND USER_SCHEMA(n.nspname)
              AND NOT has_table_privilege(c.oid, 'SELECT')""");

    static final String CAN_CREATE = "SELECT has_database_privilege(current_database(), 'CREATE')";

    /** On the maintenance database: may pgferry keep its records here (create schema pgferry, or own it)? */
    static final String RECORDS_WRITABLE = """
            SELECT has_database_privilege(current_database(), 'CREATE')
                OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgferry' AND pg_has_role(nspowner, 'USAGE'))""";

    /**
     * Roles the database needs: owners of its objects and of the database, grantees of its
     * privileges and default privileges, owners of and grantees on its foreign data wrappers and
     * servers, the roles of its user mappings, and every role that is a member of one of those. Tables,
     * functions and types of user schemas were all created after initdb, so {@code oid >= 16384}
     * (FirstNormalObjectId) lets each scan use the catalog's OID index instead of reading every
     * built-in row (the query was the sources' costliest of a tick).
     */
    public static final String NEEDED_ROLES = CaptureObjects.expand("""
            WITH RECURSIVE direct(oid) AS (
                SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid >= 16384 AND USER_SCHEMA(n.nspname)
                UNION SELECT (aclexplode(c.relacl)).grantee FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid >= 16384 AND c.relacl IS NOT NULL AND n.nspname NOT LIKE 'pg\\_%'
                   AND n.nspname <> 'information_schema'
                UNION SELECT n.nspowner FROM pg_namespace n
                 WHERE USER_SCHEMA(n.nspname)
                UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n
                 WHERE n.nspacl IS NOT NULL AND USER_SCHEMA(n.nspname)
                UNION SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE p.oid >= 16384 AND USER_SCHEMA(n.nspname)
                UNION SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE t.oid >= 16384 AND USER_SCHEMA(n.nspname)
                UNION SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()
                UNION SELECT (aclexplode(d.datacl)).grantee FROM pg_database d
                 WHERE d.datname = current_database() AND d.datacl IS NOT NULL
                UNION SELECT a.defaclrole FROM pg_default_acl a
                UNION SELECT (aclexplode(a.defaclacl)).grantee FROM pg_default_acl a
                UNION SELECT w.fdwowner FROM pg_foreign_data_wrapper w WHERE w.oid >= 16384
                UNION SELECT (aclexplode(w.fdwacl)).grantee FROM pg_foreign_data_wrapper w WHERE w.fdwacl IS NOT NULL
                UNION SELECT s.srvowner FROM pg_foreign_server s
                UNION SELECT (aclexplode(s.srvacl)).grantee FROM pg_foreign_server s WHERE s.srvacl IS NOT NULL
                UNION SELECT u.umuser FROM pg_user_mappings u
                UNION SELECT l.lomowner FROM pg_largeobject_metadata l
                UNION SELECT (aclexplode(l.lomacl)).grantor FROM pg_largeobject_metadata l WHERE l.lomacl IS NOT NULL
                UNION SELECT (aclexplode(l.lomacl)).grantee FROM pg_largeobject_metadata l WHERE l.lomacl IS NOT NULL
            ), needed(oid) AS (
                SELECT oid FROM direct
                UNION SELECT m.member FROM pg_auth_members m JOIN needed ON needed.oid = m.roleid
            )
            SELECT r.rolname FROM pg_roles r JOIN needed ON needed.oid = r.oid
            WHERE r.rolname NOT LIKE 'pg\\_%'""");

    /** Columns of top-level tables, for the data-only compatibility report. */
    static final String COLUMNS = CaptureObjects.expand("""
            SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
                   format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                   (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
              AND USER_SCHEMA(n.nspname)
            ORDER BY 1, 2, a.attnum""");

    /** Top-level tables with a primary key or replica identity index (partitioned: on the root). */
    static final String KEYED_TABLES = CaptureObjects.expand("""
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND (c.relreplident = 'f'
               OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)))
              AND USER_SCHEMA(n.nspname)""");

    static final String PUBLICATION_VIA_ROOT = "SELECT pubviaroot FROM pg_publication WHERE pubname = ?";
}
