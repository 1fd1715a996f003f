package dev.pgferry.cutover;

import static dev.pgferry.pg.Identifiers.literal;

import dev.pgferry.config.Mapping.FreezeRoles;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What "freeze" would change on the source for a mapping's databases, decided from the source's
 * roles, how they use those databases, and its sessions (pure: the facts come in, the plan comes
 * out). A login role is set NOLOGIN (a hard barrier for new sessions) only when it uses one of
 * the mapping's databases: it owns or holds privileges on objects there, owns the database or was
 * granted privileges on it, has settings there, has sessions there now, or is a member of a role
 * that does any of that; or when FREEZE_ROLES lists it. PUBLIC's default CONNECT makes nobody a
 * user: freezing every role that may connect would lock out the whole instance. FREEZE_EXCLUDE_ROLES,
 * pgferry's own user, superusers and replication roles are never frozen (listed with the reason).
 * Each database gets default_transaction_read_only = on (a soft barrier: a session can turn it
 * off); the frozen roles' sessions on the databases are then ended.
 */
public record FreezePlan(List<String> databases, List<FreezeChange> changes, List<RoleToFreeze> roles,
        List<RoleLeftAlone> leftAlone, long sessionsToEnd, List<String> warnings) {

    /**
     * A role as the source sees it. {@code elsewhere}: databases outside the mapping it uses
     * (sessions, ownership, settings or privileges granted on the database), where a freeze
     * would lock it out too.
     */
    public record RoleFacts(String name, boolean login, boolean superuser, boolean replication, boolean pgferry,
            long sessions, List<String> elsewhere) {
    }

    /** A role's direct use of one of the mapping's databases, in words ("owns objects"). */
    public record Use(String role, String database, String how) {
    }

    /** {@code member} is a member of {@code role}: it uses what {@code role} uses. */
    public record Membership(String role, String member) {
    }

    /** A role that will be set NOLOGIN, why, and its sessions on the mapping's databases (ended). */
    public record RoleToFreeze(String name, long sessions, List<String> elsewhere, List<String> reasons) {
    }

    /** A login role that uses the databases but that freeze leaves as it is, and why. */
    public record RoleLeftAlone(String name, String reason, long sessions) {
    }

    public static FreezePlan of(List<String> databases, List<RoleFacts> roles, List<Use> uses,
            List<Membership> memberships, FreezeRoles configured, Map<String, String> readOnly) {
        Map<String, List<String>> direct = directUses(roles, uses);
        List<FreezeChange> changes = new ArrayList<>();
        List<RoleToFreeze> frozen = new ArrayList<>();
        List<RoleLeftAlone> leftAlone = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (RoleFacts role : roles.stream().sorted(Comparator.comparing(RoleFacts::name)).toList()) {
            List<String> reasons = new ArrayList<>(direct.getOrDefault(role.name(), List.of()));
            for (String group : groupsOf(role.name(), memberships)) {
                direct.getOrDefault(group, List.of()).stream().findFirst()
                        .ifPresent(how -> reasons.add("member of " + group + ", which " + how));
            }
            if (configured.add().contains(role.name())) {
                reasons.add("listed in FREEZE_ROLES");
            }
            if (reasons.isEmpty() || !role.login()) {
                continue;
            }
            String reason = configured.exclude().contains(role.name()) ? "listed in FREEZE_EXCLUDE_ROLES"
                    : role.pgferry() ? "pgferry's own user: replication and the cutover steps use it"
                    : role.superuser() ? "superuser: cannot be held back by a freeze (it can undo one)"
                    : role.replication() ? "replication role: standbys and subscriptions connect with it"
                    : null;
            if (reason != null) {
                leftAlone.add(new RoleLeftAlone(role.name(), reason, role.sessions()));
                if (role.sessions() > 0 && !role.pgferry()) {
                    warnings.add("role " + role.name() + " is not frozen (" + reason.substring(0, reason.indexOf(':') < 0
                            ? reason.length() : reason.indexOf(':')) + ") and has " + role.sessions() + " session(s) on "
                            + "the mapping's databases: stop its clients yourself before the drain");
                }
                continue;
            }
            changes.add(FreezeChange.roleLogin(role.name()));
            frozen.add(new RoleToFreeze(role.name(), role.sessions(), role.elsewhere(), List.copyOf(reasons)));
            if (!role.elsewhere().isEmpty()) {
                warnings.add("role " + role.name() + " also uses " + String.join(", ", role.elsewhere())
                        + " (not in this mapping): while frozen it cannot log in there either");
            }
        }
        Set<String> known = roles.stream().map(RoleFacts::name).collect(Collectors.toSet());
        configured.add().stream().filter(r -> !known.contains(r)).forEach(r -> warnings.add("FREEZE_ROLES lists "
                + r + ", which is no role on the source"));
        for (String database : databases) {
            changes.add(FreezeChange.databaseReadOnly(database, readOnly.get(database)));
        }
        long sessions = frozen.stream().mapToLong(RoleToFreeze::sessions).sum();
        return new FreezePlan(List.copyOf(databases), changes, frozen, leftAlone, sessions, warnings);
    }

    /** Each role's own use of the mapping's databases, its sessions there included. */
    private static Map<String, List<String>> directUses(List<RoleFacts> roles, List<Use> uses) {
        Map<String, Set<String>> direct = new HashMap<>();
        for (Use use : uses) {
            direct.computeIfAbsent(use.role(), k -> new LinkedHashSet<>()).add(use.how() + " in " + use.database());
        }
        for (RoleFacts role : roles) {
            if (role.sessions() > 0) {
                direct.computeIfAbsent(role.name(), k -> new LinkedHashSet<>()).add("has " + role.sessions()
                        + " session(s) on the mapping's databases");
            }
        }
        Map<String, List<String>> sorted = new HashMap<>();
        direct.forEach((role, hows) -> sorted.put(role, List.copyOf(hows)));
        return sorted;
    }

    /** Every role the given one is a member of, directly or through others, itself excluded. */
    static Set<String> groupsOf(String role, List<Membership> memberships) {
        Set<String> groups = new LinkedHashSet<>();
        Deque<String> next = new ArrayDeque<>(List.of(role));
        Set<String> seen = new HashSet<>(next);
        while (!next.isEmpty()) {
            String member = next.poll();
            for (Membership m : memberships) {
                if (m.member().equals(member) && seen.add(m.role())) {
                    groups.add(m.role());
                    next.add(m.role());
                }
            }
        }
        return groups;
    }

    /**
     * The same freeze as commands an operator can run in psql as a superuser (for a mapping whose
     * assisted freeze is off), the sessions' end last.
     */
    public List<String> commands() {
        List<String> commands = new ArrayList<>(changes.stream().map(c -> c.freezeSql() + ";").toList());
        if (!roles.isEmpty()) {
            commands.add("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                    + "AND datname IN (" + inList(databases) + ") AND usename IN ("
                    + inList(roles.stream().map(RoleToFreeze::name).toList()) + ");");
        }
        return commands;
    }

    /**
     * The commands that undo {@link #commands()}, from the values seen before the freeze; once
     * frozen, the undo comes from the ledger instead ({@link FreezeChange#restoreSql()} of each record).
     */
    public List<String> undoCommands() {
        return changes.stream().map(c -> c.restoreSql() + ";").toList();
    }

    private static String inList(List<String> names) {
        return names.stream().map(n -> literal(n)).collect(Collectors.joining(", "));
    }
}
