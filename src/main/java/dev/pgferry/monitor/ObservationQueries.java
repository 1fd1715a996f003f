package dev.pgferry.monitor;

import dev.pgferry.pg.CaptureObjects;
/** The read-only catalog queries of one tick. Each names only the columns all of 15-18 have. */
final class ObservationQueries {

    private ObservationQueries() {
    }

    /**
     * Which control tables exist (none before the first write; in plan mode never), and whether
     * they can be read. to_regclass raises "permission denied for schema" without USAGE, and
     * has_schema_privilege raises on a missing schema: each step runs only when the previous one
     * allows it.
     */
    static final String CONTROL_TABLES = """
            WITH ns AS (SELECT to_regnamespace('pgferry') IS NOT NULL AS present),
                 usable AS (SELECT present, CASE WHEN present THEN has_schema_privilege('pgferry', 'USAGE')
                                                 ELSE false END AS usage FROM ns),
                 tables AS (SELECT present, usage,
                                   CASE WHEN usage THEN to_regclass('pgferry.completion') IS NOT NULL END AS completion,
                                   CASE WHEN usage THEN to_regclass('pgferry.start_request') IS NOT NULL END AS starts,
                                   CASE WHEN usage THEN to_regclass('pgferry.owned_database') IS NOT NULL END AS owned,
                                   CASE WHEN usage THEN to_regclass('pgferry.reversal') IS NOT NULL END AS reversal,
                                   CASE WHEN usage THEN to_regclass('pgferry.rollback') IS NOT NULL END AS rollback,
                                   CASE WHEN usage THEN to_regclass('pgferry.snapshot_copy') IS NOT NULL END AS copies
                            FROM usable)
            SELECT coalesce(completion, false) AS completion, coalesce(starts, false) AS start_request,
                   coalesce(owned, false) AS owned_database, coalesce(reversal, false) AS reversal,
                   coalesce(rollback, false) AS rollback, coalesce(copies, false) AS snapshot_copy,
                   NOT present OR (usage
                       AND CASE WHEN completion THEN has_table_privilege('pgferry.completion', 'SELECT') ELSE true END
                       AND CASE WHEN starts THEN has_table_privilege('pgferry.start_request', 'SELECT') ELSE true END
                       AND CASE WHEN owned THEN has_table_privilege('pgferry.owned_database', 'SELECT') ELSE true END
                       AND CASE WHEN reversal THEN has_table_privilege('pgferry.reversal', 'SELECT') ELSE true END
                       AND CASE WHEN rollback THEN has_table_privilege('pgferry.rollback', 'SELECT') ELSE true END
                       AND CASE WHEN copies THEN has_table_privilege('pgferry.snapshot_copy', 'SELECT') ELSE true END)
                   AS readable
            FROM tables""";

    static final String COMPLETIONS = "SELECT mapping, database FROM pgferry.completion";

    static final String REVERSALS = "SELECT mapping, database FROM pgferry.reversal";

    /** Each snapshot copy's record, with how many tables it finished from its snapshot. */
    static final String SNAPSHOT_COPIES = """
            SELECT s.mapping, s.database, s.database_oid::bigint AS database_oid, s.schema_at IS NOT NULL AS schema_restored,
                   s.rest_at IS NOT NULL AS rest_restored, coalesce(s.tables, 0) AS tables, s.resumed_at,
                   coalesce(s.kept, 0) AS kept, coalesce(s.synced, 0) AS synced,
                   (SELECT count(*) FROM pgferry.copied_table t WHERE t.mapping = s.mapping AND t.database = s.database
                      AND t.origin = 'snapshot' AND t.rows IS NOT NULL) AS copied,
                   (SELECT coalesce(sum(t.rows), 0) FROM pgferry.copied_table t WHERE t.mapping = s.mapping
                      AND t.database = s.database AND t.origin = 'snapshot') AS copied_rows
            FROM pgferry.snapshot_copy s""";

    static final String ROLLBACKS = """
            SELECT mapping, database, drain_lsn, drain_lsn_text, sequences_at, verified_at, rolled_back_at
            FROM pgferry.rollback""";

    static final String STARTED_MAPPINGS = "SELECT mapping FROM pgferry.start_request";

    static final String OWNED_DATABASES = """
            SELECT mapping, database, how, database_oid::bigint AS database_oid FROM pgferry.owned_database""";

    static final String PUBLICATION_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ?)";

    /**
     * In one round trip on the source: pgferry's publication, and its DDL capture (its event trigger
     * or its schema, left from a removal cut short).
     */
    static final String PUBLICATION_AND_CAPTURE = "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ?) "
            + "AS publication, EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = ?) "
            + "OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?) AS capture";

    /** Apply lag from the walsender's replay position while it runs, else from the slot's confirmed flush. */
    static final String SLOT = """
            SELECT s.active, s.wal_status,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(r.replay_lsn, s.confirmed_flush_lsn))::bigint AS lag,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint AS retained,
                   extract(epoch FROM r.replay_lag)::float8 AS lag_seconds,
                   pg_wal_lsn_diff(s.confirmed_flush_lsn, '0/0')::bigint AS confirmed_flush
            FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
            WHERE s.slot_name = ?""";

    /** The census query, its size expression left to fill in (TABLE_BYTES). */
    private static final String RELATIONS_WITH_SIZE_OF = CaptureObjects.expand("""
            SELECT rn.nspname AS root_schema, r.relname AS root_name, r.relkind = 'p' AS partitioned,
                   n.nspname AS schema, c.relname AS name, c.relispartition AS partition, c.relkind = 'r' AS leaf,
                   coalesce(pg_stat_get_live_tuples(c.oid), 0) AS rows,
                   TABLE_BYTES AS bytes
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_class r ON r.oid = CASE WHEN c.relispartition THEN pg_partition_root(c.oid) ELSE c.oid END
                 JOIN pg_namespace rn ON rn.oid = r.relnamespace
            WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p') AND r.relpersistence = 'p'
              AND USER_SCHEMA(rn.nspname)
            ORDER BY 1, 2, 4, 5""");

    /**
     * Every permanent table and partition with its live-row estimate and size, beside the
     * top-level table it belongs to (itself when it is no partition), ordered by that table.
     * pg_stat_get_live_tuples reads the one counter instead of the whole pg_stat_all_tables view;
     * the size is the planner's page count (kept by VACUUM and ANALYZE) where there is one, so that
     * a tick does not stat every file of every table of every database it looks at (system time
     * was near half of the servers' CPU at 1,000 databases).
     */
    static final String RELATIONS = RELATIONS_WITH_SIZE_OF.replace("TABLE_BYTES", """
            CASE WHEN c.relpages > 0 THEN c.relpages::bigint * current_setting('block_size')::bigint
                 ELSE pg_table_size(c.oid) END""");

    /**
     * The same for the destination, without sizes (nothing shows them): pg_table_size locks the
     * table, and a table the snapshot copy empties and loads in one transaction (TRUNCATE, COPY
     * FREEZE) stays locked until its load commits, minutes for a large one; the tick would wait.
     */
    static final String RELATIONS_WITHOUT_SIZE = RELATIONS_WITH_SIZE_OF.replace("TABLE_BYTES", "0::bigint");

    /** last_value is NULL when never used or not readable (pg_read_all_data / SELECT on it needed). */
    static final String SEQUENCES = CaptureObjects.expand("""
            SELECT schemaname::text AS schema, sequencename::text AS name, last_value FROM pg_sequences
            WHERE USER_SCHEMA(schemaname)""");

    /** Copies running into this database: the table-sync workers' COPY FROM. */
    static final String COPY_PROGRESS = """
            SELECT n.nspname AS schema, c.relname AS name, p.bytes_processed, p.tuples_processed
            FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE p.datname = current_database()""";

    static final String PUBLISHED_TABLES = """
            SELECT schemaname::text AS schema, tablename::text AS name FROM pg_publication_tables WHERE pubname = ?""";

    static final String SUBSCRIPTION = """
            SELECT s.oid, s.subenabled,
                   EXISTS (SELECT 1 FROM pg_stat_subscription w
                           WHERE w.subid = s.oid AND w.pid IS NOT NULL AND w.relid IS NULL) AS apply_running,
                   coalesce(st.apply_error_count, 0) AS apply_errors,
                   coalesce(st.sync_error_count, 0) AS sync_errors
            FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid
            WHERE s.subname = ? AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())""";

    static final String SUBSCRIPTION_TABLES = """
            SELECT n.nspname AS schema, c.relname AS name, sr.srsubstate::text AS state
            FROM pg_subscription_rel sr JOIN pg_class c ON c.oid = sr.srrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE sr.srsubid = ?""";
}
