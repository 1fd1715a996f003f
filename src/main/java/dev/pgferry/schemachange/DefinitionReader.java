package dev.pgferry.schemachange;

import dev.pgferry.pg.CaptureObjects;
import dev.pgferry.config.Instance;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.schema.PrivilegeItems;
import dev.pgferry.schemachange.Definitions.Column;
import dev.pgferry.schemachange.Definitions.Comment;
import dev.pgferry.schemachange.Definitions.Constraint;
import dev.pgferry.schemachange.Definitions.Function;
import dev.pgferry.schemachange.Definitions.Index;
import dev.pgferry.schemachange.Definitions.Relation;
import dev.pgferry.schemachange.Definitions.Schema;
import dev.pgferry.schemachange.Definitions.Sequence;
import dev.pgferry.schemachange.Definitions.Trigger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reads the {@link Definitions} of one side. The names are keyed exactly as
 * {@code schema.FingerprintQuery} renders them; the reading runs with search_path set to
 * pg_catalog only, so every definition PostgreSQL renders (a foreign key's table, a user type)
 * comes out schema-qualified and means the same on the other side.
 */
@Component
class DefinitionReader {

    private static final String USER_NAMESPACE = CaptureObjects.expand("USER_SCHEMA(n.nspname)");

    private static String acl(String acl, String type, String owner) {
        return "ARRAY(SELECT item FROM (" + PrivilegeItems.select(acl, type, owner) + ") items ORDER BY 1)";
    }

    private static final String NOT_EXTENSION = " NOT IN (SELECT objid FROM pg_depend WHERE deptype = 'e')";

    static final String RELATIONS = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS key, n.nspname, c.relname,
                   c.relkind::text AS kind, c.relpersistence::text AS persistence, c.relreplident::text AS replica_identity,
                   quote_ident(pg_get_userbyid(c.relowner)) AS owner, %s AS acl,
                   (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.relname) FROM pg_inherits i
                    JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                    WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of,
                   pg_get_expr(c.relpartbound, c.oid) AS bound,
                   CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
                   CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.oid""".formatted(
            "CASE WHEN c.relkind = 'S' THEN " + acl("c.relacl", "s", "c.relowner") + " ELSE "
                    + acl("c.relacl", "r", "c.relowner") + " END", USER_NAMESPACE) + NOT_EXTENSION;

    static final String COLUMNS = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname) AS key,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation, a.attname, a.attnum,
                   format_type(a.atttypid, a.atttypmod) AS type, format_type(a.atttypid, NULL) AS base_type,
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default_expression,
                   a.attidentity::text AS identity, a.attgenerated::text AS generated,
                   CASE WHEN a.atthasmissing THEN (a.attmissingval::text::text[])[1] END AS missing,
                   CASE WHEN a.attcollation <> t.typcollation THEN (SELECT quote_ident(cn.nspname) || '.'
                        || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                        WHERE co.oid = a.attcollation) END AS collation
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_type t ON t.oid = a.atttypid
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE %s AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND c.oid""".formatted(USER_NAMESPACE) + NOT_EXTENSION;

    static final String CONSTRAINTS = """
            SELECT quote_ident(n.nspname) || '.' || coalesce(quote_ident(r.relname) || '.', '') || quote_ident(k.conname)
                   AS key, CASE WHEN r.oid IS NOT NULL THEN quote_ident(n.nspname) || '.' || quote_ident(r.relname) END
                   AS relation, k.conname, k.contype::text AS type, pg_get_constraintdef(k.oid) AS definition,
                   k.convalidated,
                   (SELECT quote_ident(xn.nspname) || '.' || quote_ident(x.relname) FROM pg_class x
                    JOIN pg_namespace xn ON xn.oid = x.relnamespace WHERE x.oid = k.conindid AND k.contype IN ('p', 'u', 'x'))
                   AS index
            FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace LEFT JOIN pg_class r ON r.oid = k.conrelid
            WHERE %s AND k.contype <> 'n' AND (k.conparentid = 0 OR k.conparentid IS NULL)""".formatted(USER_NAMESPACE);

    static final String INDEXES = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS key,
                   quote_ident(tn.nspname) || '.' || quote_ident(t.relname) AS relation,
                   pg_get_indexdef(c.oid) AS definition,
                   EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid AND k.contype IN ('p', 'u', 'x'))
                   AS of_constraint,
                   (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.relname) FROM pg_inherits h
                    JOIN pg_class p ON p.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                    WHERE h.inhrelid = c.oid) AS parent_index
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
            WHERE %s""".formatted(USER_NAMESPACE);

    static final String SEQUENCES = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS key, format_type(s.seqtypid, NULL) AS type,
                   s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                   (SELECT quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(a.attname)
                    FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                      AND d.refclassid = 'pg_class'::regclass LIMIT 1) AS owned_by,
                   EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.deptype = 'i') AS identity
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE %s""".formatted(USER_NAMESPACE);

    static final String SCHEMAS = """
            SELECT quote_ident(n.nspname) AS key, n.nspname, quote_ident(pg_get_userbyid(n.nspowner)) AS owner, %s AS acl
            FROM pg_namespace n WHERE %s""".formatted(acl("n.nspacl", "n", "n.nspowner"), USER_NAMESPACE);

    static final String FUNCTIONS = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
                   || pg_get_function_identity_arguments(p.oid) || ')' AS key, p.prokind::text AS kind,
                   CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END AS definition,
                   quote_ident(pg_get_userbyid(p.proowner)) AS owner, %s AS acl
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE %s AND p.oid""".formatted(acl("p.proacl", "f", "p.proowner"), USER_NAMESPACE) + NOT_EXTENSION;

    static final String TRIGGERS = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(t.tgname) AS key,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation, t.tgname,
                   pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE %s AND NOT t.tgisinternal AND (t.tgparentid = 0 OR t.tgparentid IS NULL)""".formatted(USER_NAMESPACE);

    // the key is the fingerprint's (pg_describe_object); COMMENT ON's words come from pg_identify_object
    static final String COMMENTS = """
            SELECT pg_describe_object(d.classoid, d.objoid, d.objsubid) AS key,
                   CASE o.type WHEN 'table' THEN 'TABLE ' WHEN 'table column' THEN 'COLUMN ' WHEN 'view' THEN 'VIEW '
                        WHEN 'materialized view' THEN 'MATERIALIZED VIEW ' WHEN 'sequence' THEN 'SEQUENCE '
                        WHEN 'index' THEN 'INDEX ' WHEN 'schema' THEN 'SCHEMA ' WHEN 'function' THEN 'FUNCTION '
                        WHEN 'procedure' THEN 'PROCEDURE ' WHEN 'type' THEN 'TYPE ' WHEN 'foreign table' THEN 'FOREIGN TABLE '
                        WHEN 'table constraint' THEN 'CONSTRAINT ' WHEN 'trigger' THEN 'TRIGGER ' WHEN 'policy' THEN 'POLICY '
                   END || o.identity AS target,
                   CASE WHEN d.classoid IN ('pg_class'::regclass, 'pg_namespace'::regclass) THEN o.identity END AS object,
                   d.description
            FROM pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
            WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass)
              AND d.classoid IN ('pg_class'::regclass, 'pg_namespace'::regclass, 'pg_proc'::regclass,
                                 'pg_type'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass,
                                 'pg_policy'::regclass)
              AND o.schema IS DISTINCT FROM 'information_schema' AND coalesce(o.schema, '') NOT LIKE 'pg\\_%'
              AND (d.classoid <> 'pg_namespace'::regclass
                   OR (SELECT nspname FROM pg_namespace WHERE oid = d.objoid) NOT LIKE 'pg\\_%')""";

    private final PgConnector connector;

    DefinitionReader(PgConnector connector) {
        this.connector = connector;
    }

    Definitions read(Instance instance, String database) throws SQLException {
        try (Connection c = connector.observe(instance, database)) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                JdbcClient jdbc = Jdbc.over(c);
                // keyed by pg_describe_object as the fingerprint reads it: under the session's own search_path
                List<Comment> comments = jdbc.sql(COMMENTS).query((rs, n) -> new Comment(rs.getString("key"),
                        rs.getString("target"), rs.getString("object"), rs.getString("description"))).list();
                jdbc.sql("SET LOCAL search_path = pg_catalog").update();
                return new Definitions(
                        Definitions.byKey(jdbc.sql(RELATIONS).query((rs, n) -> new Relation(rs.getString("key"),
                                rs.getString("nspname"), rs.getString("relname"), rs.getString("kind"),
                                rs.getString("persistence"), rs.getString("replica_identity"), rs.getString("owner"), texts(rs, "acl"),
                                rs.getString("partition_of"), rs.getString("bound"), rs.getString("partition_key"),
                                rs.getString("view_definition"))).list(), Relation::key),
                        Definitions.byKey(jdbc.sql(COLUMNS).query((rs, n) -> new Column(rs.getString("key"),
                                rs.getString("relation"), rs.getString("attname"), rs.getInt("attnum"),
                                rs.getString("type"), rs.getString("base_type"), rs.getBoolean("attnotnull"),
                                rs.getString("default_expression"), rs.getString("identity"),
                                rs.getString("generated"), rs.getString("missing"), rs.getString("collation")))
                                .list(), Column::key),
                        Definitions.byKey(jdbc.sql(CONSTRAINTS).query((rs, n) -> new Constraint(rs.getString("key"),
                                rs.getString("relation"), rs.getString("conname"), rs.getString("type"),
                                rs.getString("definition"), rs.getBoolean("convalidated"), rs.getString("index")))
                                .list(), Constraint::key),
                        Definitions.byKey(jdbc.sql(INDEXES).query((rs, n) -> new Index(rs.getString("key"),
                                rs.getString("relation"), rs.getString("definition"), rs.getBoolean("of_constraint"),
                                rs.getString("parent_index"))).list(), Index::key),
                        Definitions.byKey(jdbc.sql(SEQUENCES).query((rs, n) -> new Sequence(rs.getString("key"),
                                rs.getString("type"), rs.getLong("seqstart"), rs.getLong("seqincrement"),
                                rs.getLong("seqmin"), rs.getLong("seqmax"), rs.getLong("seqcache"),
                                rs.getBoolean("seqcycle"), rs.getString("owned_by"), rs.getBoolean("identity")))
                                .list(), Sequence::key),
                        Definitions.byKey(jdbc.sql(SCHEMAS).query((rs, n) -> new Schema(rs.getString("key"),
                                rs.getString("nspname"), rs.getString("owner"), texts(rs, "acl"))).list(), Schema::key),
                        Definitions.byKey(jdbc.sql(FUNCTIONS).query((rs, n) -> new Function(rs.getString("key"),
                                rs.getString("kind"), rs.getString("definition"), rs.getString("owner"),
                                texts(rs, "acl"))).list(), Function::key),
                        Definitions.byKey(jdbc.sql(TRIGGERS).query((rs, n) -> new Trigger(rs.getString("key"),
                                rs.getString("relation"), rs.getString("tgname"), rs.getString("definition"),
                                rs.getString("enabled"))).list(), Trigger::key),
                        Definitions.byKey(comments, Comment::key));
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * Whether PostgreSQL on this side converts {@code from} to {@code to} in an assignment (what
     * ALTER COLUMN ... TYPE without USING needs): the same base type with another modifier, an
     * implicit or assignment cast, or any type to a string type (through its text form).
     */
    boolean assignable(Instance instance, String database, String fromBase, String toBase) throws SQLException {
        try (Connection c = connector.observe(instance, database)) {
            return Jdbc.over(c).sql(ASSIGNABLE).param(fromBase).param(toBase).param(fromBase).param(toBase)
                    .param(toBase).query(Boolean.class).single();
        }
    }

    static final String ASSIGNABLE = """
            SELECT coalesce(to_regtype(?) = to_regtype(?) OR EXISTS (SELECT 1 FROM pg_cast
                   WHERE castsource = to_regtype(?) AND casttarget = to_regtype(?) AND castcontext IN ('i', 'a'))
                   OR (SELECT typcategory = 'S' FROM pg_type WHERE oid = to_regtype(?)), false)""";

    private static List<String> texts(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? List.of() : Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }
}
