package dev.pgferry.config;

import java.util.List;

/**
 * A validated source -> destination mapping; an empty database list means every non-template
 * database. {@code allowFreeze}: whether an operator may let pgferry freeze the source's writes
 * at cutover (off unless configured); {@code allowReverse}: whether an operator may turn the
 * replication around after the switch, so that the destination's changes flow back (off unless
 * configured). {@code adoptDatabases}: existing, empty destination
 * databases the operator hands over to pgferry (it never takes over any other).
 */
public record Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
        CopyMethod copyMethod, TablesWithoutKey tablesWithoutKey, RoleConflict roleConflict, Content content,
        Scope scope, boolean allowFreeze, CopyLimits copyLimits, List<String> adoptDatabases,
        FreezeRoles freezeRoles, boolean allowReverse, SchemaChanges schemaChanges) {

    /** With the default handling of schema changes (apply the safe ones, no DDL capture). */
    public Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
            CopyMethod copyMethod, TablesWithoutKey tablesWithoutKey, RoleConflict roleConflict, Content content,
            Scope scope, boolean allowFreeze, CopyLimits copyLimits, List<String> adoptDatabases,
            FreezeRoles freezeRoles, boolean allowReverse) {
        this(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict, content, scope,
                allowFreeze, copyLimits, adoptDatabases, freezeRoles, allowReverse, SchemaChanges.DEFAULT);
    }

    /** The same mapping with another handling of schema changes. */
    public Mapping withSchemaChanges(SchemaChanges changes) {
        return new Mapping(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict,
                content, scope, allowFreeze, copyLimits, adoptDatabases, freezeRoles, allowReverse, changes);
    }

    /**
     * What pgferry does with a schema change found while streaming (SCHEMA_CHANGES), and whether
     * an event trigger on the source records the DDL statements (DDL_CAPTURE, needs superuser there).
     */
    public record SchemaChanges(SchemaChangePolicy policy, boolean ddlCapture) {
        public static final SchemaChanges DEFAULT = new SchemaChanges(SchemaChangePolicy.APPLY_SAFE, false);
    }

    /**
     * Apply the safe changes and wait for confirmation of the others; wait for confirmation of
     * every one; or only show them (the operator applies them by hand).
     */
    public enum SchemaChangePolicy {
        APPLY_SAFE, CONFIRM_ALL, DETECT_ONLY;

        /** The value as written in the configuration. */
        public String configValue() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Without the reverse direction. */
    public Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
            CopyMethod copyMethod, TablesWithoutKey tablesWithoutKey, RoleConflict roleConflict, Content content,
            Scope scope, boolean allowFreeze, CopyLimits copyLimits, List<String> adoptDatabases,
            FreezeRoles freezeRoles) {
        this(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict, content, scope,
                allowFreeze, copyLimits, adoptDatabases, freezeRoles, false);
    }

    /**
     * Roles a freeze also holds back ({@code add}, FREEZE_ROLES) and never holds back
     * ({@code exclude}, FREEZE_EXCLUDE_ROLES), beside those that use the mapping's databases.
     */
    public record FreezeRoles(List<String> add, List<String> exclude) {
        public static final FreezeRoles NONE = new FreezeRoles(List.of(), List.of());

        public FreezeRoles {
            add = List.copyOf(add);
            exclude = List.copyOf(exclude);
        }
    }

    /**
     * How hard the snapshot copy may read a source instance: concurrent copy workers and bytes per
     * second (0: unlimited). Several mappings reading one instance share the strictest limits.
     */
    /**
     * The snapshot copy's limits: workers and bytes per second read from the source, and the
     * memory each index build may use on the destination (its session's maintenance_work_mem).
     */
    public record CopyLimits(int workers, long bytesPerSecond, long maintenanceWorkMemBytes) {
        public static final long DEFAULT_MAINTENANCE_WORK_MEM = 256L * 1024 * 1024;
        public static final CopyLimits DEFAULT = new CopyLimits(4, 100L * 1024 * 1024);

        public CopyLimits(int workers, long bytesPerSecond) {
            this(workers, bytesPerSecond, DEFAULT_MAINTENANCE_WORK_MEM);
        }

        /** maintenance_work_mem as the server takes it: whole kilobytes. */
        public String maintenanceWorkMem() {
            return maintenanceWorkMemBytes / 1024 + "kB";
        }
    }

    /** With the default copy limits. */
    public Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
            CopyMethod copyMethod, TablesWithoutKey tablesWithoutKey, RoleConflict roleConflict, Content content,
            Scope scope, boolean allowFreeze) {
        this(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict, content, scope,
                allowFreeze, CopyLimits.DEFAULT, List.of(), FreezeRoles.NONE);
    }

    public Mapping {
        databases = List.copyOf(databases);
        adoptDatabases = adoptDatabases == null ? List.of() : List.copyOf(adoptDatabases);
        freezeRoles = freezeRoles == null ? FreezeRoles.NONE : freezeRoles;
        schemaChanges = schemaChanges == null ? SchemaChanges.DEFAULT : schemaChanges;
    }

    /** A mapping with the defaults for the remedies (block tables without key, merge roles). */
    public Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
            CopyMethod copyMethod) {
        this(name, source, destination, databases, mode, copyMethod, TablesWithoutKey.BLOCK, RoleConflict.MERGE);
    }

    /** Without the assisted freeze. */
    public Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
            CopyMethod copyMethod, TablesWithoutKey tablesWithoutKey, RoleConflict roleConflict, Content content,
            Scope scope) {
        this(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict, content, scope,
                false);
    }

    /** Schema and data of every schema and table. */
    public Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
            CopyMethod copyMethod, TablesWithoutKey tablesWithoutKey, RoleConflict roleConflict) {
        this(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict,
                Content.SCHEMA_AND_DATA, Scope.ALL);
    }

    /** What a mapping moves. */
    public enum Content {
        /** roles, database, schema, then the data through a subscription */
        SCHEMA_AND_DATA,
        /** roles, database and schema; complete once the schema is in */
        SCHEMA_ONLY,
        /** the data only, into a destination schema that exists already (checked for compatibility) */
        DATA_ONLY
    }

    /** What to do with tables that have neither a primary key nor a replica identity. */
    public enum TablesWithoutKey {
        /** block the database until the tables get a key or a replica identity on the source */
        BLOCK,
        /** leave those tables out of the publication (their schema is copied, not their rows) */
        EXCLUDE
    }

    /** What to do with a needed role that exists on the destination with other attributes. */
    public enum RoleConflict {
        /** reuse the destination's role unchanged and warn */
        MERGE,
        /** block the database */
        FAIL
    }
}
