package dev.pgferry.ownership;

/**
 * How many user objects a database holds: every catalog row with an OID at or above
 * FirstNormalObjectId (16384) was created after initdb, so this counts tables of every kind
 * (unlogged ones, views, materialized views, sequences, indexes), schemas, functions, types,
 * extensions, large objects, event triggers, publications and the rest alike. What comes with
 * another object and is counted with it (TOAST tables, a relation's row type, array types) and
 * temporary schemas, which PostgreSQL keeps after their sessions end, are left out. Readable by
 * any user.
 */
public final class UserObjects {

    public static final String COUNT = """
            WITH kept AS (SELECT oid FROM pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_' AND nspname <> 'pg_toast')
            SELECT (SELECT count(*) FROM pg_namespace WHERE oid >= 16384 AND oid IN (SELECT oid FROM kept))
                 + (SELECT count(*) FROM pg_class WHERE oid >= 16384 AND relnamespace IN (SELECT oid FROM kept))
                 + (SELECT count(*) FROM pg_proc WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_type t WHERE oid >= 16384 AND typnamespace IN (SELECT oid FROM kept)
                      AND typrelid = 0 AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid))
                 + (SELECT count(*) FROM pg_extension WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_collation WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_conversion WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_operator WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_opfamily WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_cast WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_language WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_ts_config WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_ts_dict WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_foreign_data_wrapper WHERE oid >= 16384)
                 + (SELECT count(*) FROM pg_foreign_server)
                 + (SELECT count(*) FROM pg_event_trigger)
                 + (SELECT count(*) FROM pg_publication)
                 + (SELECT count(*) FROM pg_default_acl)
                 + (SELECT count(*) FROM pg_statistic_ext)
                 + (SELECT count(*) FROM pg_largeobject_metadata) AS objects""";

    private UserObjects() {
    }
}
