package dev.pgferry.cutover;

import static dev.pgferry.pg.Identifiers.literal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What "freeze" would change on the source for a mapping's databases, decided from the source's
 * roles and sessions (pure: the facts come in, the plan comes out). Every login role that may
 * connect to one of the databases is set NOLOGIN (a hard barrier for new sessions), except
 * pgferry's own user, superusers and replication roles, which are listed with the reason; each
 * database gets default_transaction_read_only = on (a soft barrier: a session can turn it off);
 * the frozen roles' sessions on the databases are then ended.
 */
public record FreezePlan(List<String> databases, List<FreezeChange> changes, List<RoleToFreeze> roles,
        List<RoleLeftAlone> leftAlone, long sessionsToEnd, List<String> warnings) {

    /** A login role as the source sees it. */
    public record RoleFacts(String name, boolean superuser, boolean replication, boolean pgferry,
            boolean canConnect, long sessions, List<String> elsewhere) {
    }

    /** A role that will be set NOLOGIN; its sessions on the mapping's databases will be ended. */
    public record RoleToFreeze(String name, long sessions, List<String> elsewhere) {
    }

    /** A login role that freeze leaves as it is, and why. */
    public record RoleLeftAlone(String name, String reason, long sessions) {
    }

    public static FreezePlan of(List<String> databases, List<RoleFacts> roles, java.util.Map<String, String> readOnly) {
        List<FreezeChange> changes = new ArrayList<>();
        List<RoleToFreeze> frozen = new ArrayList<>();
        List<RoleLeftAlone> leftAlone = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (RoleFacts role : roles) {
            String reason = role.pgferry() ? "pgferry's own user: replication and the cutover steps use it"
                    : role.superuser() ? "superuser: cannot be held back by a freeze (it can undo one)"
                    : role.replication() ? "replication role: standbys and subscriptions connect with it"
                    : null;
            if (reason != null) {
                if (role.canConnect() || role.sessions() > 0) {
                    leftAlone.add(new RoleLeftAlone(role.name(), reason, role.sessions()));
                }
                if (role.sessions() > 0 && !role.pgferry()) {
                    warnings.add("role " + role.name() + " is not frozen (" + reason.substring(0, reason.indexOf(':'))
                            + ") and has " + role.sessions() + " session(s) on the mapping's databases: stop its "
                            + "clients yourself before the drain");
                }
                continue;
            }
            if (!role.canConnect() && role.sessions() == 0) {
                continue;
            }
            changes.add(FreezeChange.roleLogin(role.name()));
            frozen.add(new RoleToFreeze(role.name(), role.sessions(), role.elsewhere()));
            if (!role.elsewhere().isEmpty()) {
                warnings.add("role " + role.name() + " also has sessions on " + String.join(", ", role.elsewhere())
                        + " (not in this mapping): while frozen it cannot log in there either");
            }
        }
        for (String database : databases) {
            changes.add(FreezeChange.databaseReadOnly(database, readOnly.get(database)));
        }
        long sessions = frozen.stream().mapToLong(RoleToFreeze::sessions).sum();
        return new FreezePlan(List.copyOf(databases), changes, frozen, leftAlone, sessions, warnings);
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

    /** The commands that undo {@link #commands()}, from the values seen now. */
    public List<String> undoCommands() {
        return changes.stream().map(c -> c.restoreSql() + ";").toList();
    }

    private static String inList(List<String> names) {
        return names.stream().map(n -> literal(n)).collect(Collectors.joining(", "));
    }
}
