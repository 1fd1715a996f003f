package dev.pgferry.preflight;

import static dev.pgferry.preflight.PrivilegeChecks.shortList;

import dev.pgferry.config.Mapping.RoleConflict;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Roles the database needs that exist on the destination with other attributes. */
final class RoleChecks {

    private RoleChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        in.databaseFacts().ifPresent(facts -> {
            ServerFacts source = in.source().facts();
            ServerFacts destination = in.destination().facts();
            List<String> conflicts = new ArrayList<>();
            for (String role : new TreeSet<>(facts.neededRoles())) {
                RoleInfo mine = source.roles().get(role);
                RoleInfo theirs = destination.roles().get(role);
                if (mine != null && theirs != null && !role.equals(source.user().name())) {
                    List<String> differences = mine.differencesFrom(theirs);
                    if (!differences.isEmpty()) {
                        conflicts.add(role + " (" + String.join(", ", differences) + ")");
                    }
                }
            }
            if (conflicts.isEmpty()) {
                checks.add(Check.ok("roles.conflict", "no needed role differs on the destination"));
            } else if (in.mapping().roleConflict() == RoleConflict.FAIL) {
                checks.add(Check.block("roles.conflict", "role(s) exist on the destination with other attributes "
                        + "(source vs destination): " + shortList(conflicts), "Align the roles' attributes on the "
                        + "destination (ALTER ROLE), or set " + in.mappingVariable("ROLE_CONFLICT") + "=merge to "
                        + "reuse them unchanged."));
            } else {
                checks.add(Check.warn("roles.conflict", "role(s) exist on the destination with other attributes and "
                        + "are reused unchanged (source vs destination): " + shortList(conflicts), "Align them with "
                        + "ALTER ROLE on the destination if the difference matters."));
            }
        });
    }
}
