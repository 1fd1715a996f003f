package dev.pgferry.monitor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-wide facts the pre-flight checks need, read once per tick per instance: settings,
 * capacity in use, the connecting user's rights, roles, slots, subscriptions and extensions.
 * {@code rolesUserCanBecome}: the roles the connecting user may SET ROLE to (pg_restore creates
 * objects as their owners); {@code extensionsNeedingSuperuser}: available extensions only a
 * superuser may create (not trusted); {@code recordsWritable}: the user may create schema pgferry
 * in the maintenance database (CREATE there), or owns it already.
 */
public record ServerFacts(
        int major,
        Map<String, String> settings,
        int slotsUsed,
        int walSendersUsed,
        int subscriptionWorkersUsed,
        int replicationOriginsUsed,
        UserRights user,
        Map<String, RoleInfo> roles,
        List<Membership> memberships,
        Map<String, SlotInfo> slots,
        Map<String, String> subscriptionDatabases,
        Set<String> availableExtensions,
        boolean passwordsReadable,
        Set<String> loginRolesWithoutPassword,
        Set<String> rolesUserCanBecome,
        Set<String> extensionsNeedingSuperuser,
        boolean recordsWritable) {

    /** Facts where only a superuser connects (the user may become any role, create any extension). */
    public ServerFacts(int major, Map<String, String> settings, int slotsUsed, int walSendersUsed,
            int subscriptionWorkersUsed, int replicationOriginsUsed, UserRights user, Map<String, RoleInfo> roles,
            List<Membership> memberships, Map<String, SlotInfo> slots, Map<String, String> subscriptionDatabases,
            Set<String> availableExtensions, boolean passwordsReadable, Set<String> loginRolesWithoutPassword) {
        this(major, settings, slotsUsed, walSendersUsed, subscriptionWorkersUsed, replicationOriginsUsed, user, roles,
                memberships, slots, subscriptionDatabases, availableExtensions, passwordsReadable,
                loginRolesWithoutPassword, Set.of(), Set.of(), true);
    }

    /** An integer setting, or -1 when the server has no such setting (e.g. before 18). */
    public int intSetting(String name) {
        String value = settings.get(name);
        return value == null ? -1 : Integer.parseInt(value);
    }

    /** What the user pgferry connects as may do. */
    public record UserRights(String name, boolean superuser, boolean replication, boolean createdb,
            boolean createSubscription, boolean readAllData) {
    }

    /**
     * The attributes of a role that must match for two roles of the same name to be the same role;
     * {@code validUntil} is its expiry in UTC (ISO 8601, 'infinity'), or null for none.
     */
    public record RoleInfo(String name, boolean superuser, boolean inherit, boolean createrole, boolean createdb,
            boolean login, boolean replication, boolean bypassrls, int connectionLimit, String validUntil) {

        /** The expiry of a row of pg_roles: UTC, ISO 8601, 'infinity', or null for none. */
        public static final String VALID_UNTIL_VALUE = "CASE WHEN rolvaliduntil = 'infinity' THEN 'infinity' ELSE "
                + "to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END";

        /** The expiry as a select item {@code valid_until}. */
        public static final String VALID_UNTIL = VALID_UNTIL_VALUE + " AS valid_until";

        /** A role without an expiry. */
        public RoleInfo(String name, boolean superuser, boolean inherit, boolean createrole, boolean createdb,
                boolean login, boolean replication, boolean bypassrls, int connectionLimit) {
            this(name, superuser, inherit, createrole, createdb, login, replication, bypassrls, connectionLimit, null);
        }

        /** Human-readable differences from another role of the same name. */
        public List<String> differencesFrom(RoleInfo other) {
            List<String> differences = new java.util.ArrayList<>();
            compare(differences, "SUPERUSER", superuser, other.superuser);
            compare(differences, "INHERIT", inherit, other.inherit);
            compare(differences, "CREATEROLE", createrole, other.createrole);
            compare(differences, "CREATEDB", createdb, other.createdb);
            compare(differences, "LOGIN", login, other.login);
            compare(differences, "REPLICATION", replication, other.replication);
            compare(differences, "BYPASSRLS", bypassrls, other.bypassrls);
            if (connectionLimit != other.connectionLimit) {
                differences.add("CONNECTION LIMIT " + connectionLimit + " vs " + other.connectionLimit);
            }
            if (!java.util.Objects.equals(validUntil, other.validUntil)) {
                differences.add("VALID UNTIL " + (validUntil == null ? "none" : validUntil) + " vs "
                        + (other.validUntil == null ? "none" : other.validUntil));
            }
            return differences;
        }

        private static void compare(List<String> out, String attribute, boolean mine, boolean theirs) {
            if (mine != theirs) {
                out.add((mine ? "" : "NO") + attribute + " vs " + (theirs ? "" : "NO") + attribute);
            }
        }
    }

    /** {@code member} is a member of {@code role}. */
    public record Membership(String role, String member) {
    }

    /** A replication slot: physical or logical, its output plugin and database. */
    public record SlotInfo(String name, String type, String plugin, String database) {
    }
}
