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

    /** A destination user that is not superuser cannot grant SUPERUSER, REPLICATION or BYPASSRLS. */
    private static Check privileged(java.util.Set<String> needed, ServerFacts source, ServerFacts destination) {
        if (destination.user().superuser()) {
            return Check.ok("roles.privileged_attributes", "the destination user may create roles with every "
                    + "attribute");
        }
        List<String> leftOut = new ArrayList<>();
        for (String role : new TreeSet<>(needed)) {
            RoleInfo info = source.roles().get(role);
            if (info != null && !destination.roles().containsKey(role)
                    && (info.superuser() || info.replication() || info.bypassrls())) {
                leftOut.add(role + " (" + String.join(" ", attributes(info)) + ")");
            }
        }
        return leftOut.isEmpty() ? Check.ok("roles.privileged_attributes", "no role to create needs SUPERUSER, "
                + "REPLICATION or BYPASSRLS")
                : Check.warn("roles.privileged_attributes", "role(s) will be created without the attributes a "
                        + "non-superuser may not grant: " + shortList(leftOut), "Grant them on the destination "
                        + "yourself where the service allows it (managed services reserve them).");
    }

    private static List<String> attributes(RoleInfo info) {
        List<String> attributes = new ArrayList<>();
        if (info.superuser()) {
            attributes.add("SUPERUSER");
        }
        if (info.replication()) {
            attributes.add("REPLICATION");
        }
        if (info.bypassrls()) {
            attributes.add("BYPASSRLS");
        }
        return attributes;
    }

    /**
     * Login roles whose password pgferry could not copy (the source user cannot read pg_authid),
     * and that the destination shows without one (or may, when it cannot tell).
     */
    private static Check passwords(java.util.Set<String> needed, ServerFacts source, ServerFacts destination) {
        if (source.passwordsReadable()) {
            return Check.ok("roles.passwords", "password hashes are copied with the roles");
        }
        List<String> roles = new TreeSet<>(needed).stream()
                .filter(r -> source.roles().containsKey(r) && source.roles().get(r).login())
                .filter(r -> !r.equals(destination.user().name()))
                .filter(r -> !destination.passwordsReadable() || !destination.roles().containsKey(r)
                        || destination.loginRolesWithoutPassword().contains(r))
                .toList();
        return roles.isEmpty() ? Check.ok("roles.passwords", "no login role is missing its password")
                : Check.warn("roles.passwords", "the source user cannot read password hashes, so these login "
                        + "roles need a password on the destination" + (destination.passwordsReadable() ? ""
                                : " (unless already set)") + ": " + shortList(roles),
                        "Run ALTER ROLE <role> PASSWORD '...' on the destination for each, or migrate as a "
                                + "superuser on the source to copy the hashes.");
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
            checks.add(privileged(facts.neededRoles(), source, destination));
            checks.add(passwords(facts.neededRoles(), source, destination));
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
