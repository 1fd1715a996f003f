package dev.pgferry.preflight;

import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The roles a database needs (owners and grantees of its objects) and where each stands on the
 * destination, for the database's page: the same facts the role checks judge, one line a role.
 */
public final class RoleStates {

    private RoleStates() {
    }

    /** state: present, differs, missing or needs-password; detail says what it means here. */
    public record RoleState(String role, String state, String detail) {
    }

    public static List<RoleState> of(Set<String> needed, ServerFacts source, ServerFacts destination) {
        List<RoleState> states = new ArrayList<>();
        for (String role : new TreeSet<>(needed)) {
            RoleInfo mine = source.roles().get(role);
            RoleInfo theirs = destination.roles().get(role);
            if (theirs == null) {
                states.add(new RoleState(role, "missing", "created by pgferry with the database's schema"
                        + (mine != null && mine.login() && !source.passwordsReadable()
                                ? "; needs a password on the destination (the source user cannot read hashes)"
                                : "")));
                continue;
            }
            List<String> differences = mine == null ? List.of() : mine.differencesFrom(theirs);
            boolean noPassword = mine != null && mine.login() && !source.passwordsReadable()
                    && !role.equals(destination.user().name())
                    && (!destination.passwordsReadable() || destination.loginRolesWithoutPassword().contains(role));
            if (noPassword) {
                states.add(new RoleState(role, "needs-password", "login role without a password pgferry could "
                        + "copy: ALTER ROLE ... PASSWORD on the destination" + (destination.passwordsReadable() ? ""
                                : " (unless already set)")));
            } else if (!differences.isEmpty() && !role.equals(source.user().name())) {
                states.add(new RoleState(role, "differs", "on the destination with other attributes (source vs "
                        + "destination): " + String.join(", ", differences)));
            } else {
                states.add(new RoleState(role, "present", "on the destination"));
            }
        }
        return states;
    }
}
