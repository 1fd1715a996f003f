package dev.pgferry.preflight;

import static dev.pgferry.preflight.PrivilegeChecks.shortList;

import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import dev.pgferry.monitor.SourceFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a destination user that is no superuser (a managed service's) cannot restore, found before
 * anything is written: objects owned by a role it cannot become (pg_restore creates each object as
 * its owner; roles pgferry creates are granted to it, existing ones must be), and objects only a
 * superuser may create (event triggers, functions in untrusted languages, untrusted extensions).
 */
final class NonSuperuserChecks {

    private NonSuperuserChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        ServerFacts destination = in.destination().facts();
        if (destination.user().superuser() || in.mapping().content() == Mapping.Content.DATA_ONLY) {
            return;
        }
        in.databaseFacts().ifPresent(facts -> {
            checks.add(owners(in, facts, destination));
            checks.add(superuserOnly(in, facts, destination));
        });
    }

    private static Check owners(CheckInput in, SourceFacts facts, ServerFacts destination) {
        String user = destination.user().name();
        List<String> cannot = new ArrayList<>();
        for (Map.Entry<String, SourceFacts.Owned> owner : facts.owners().entrySet()) {
            String role = owner.getKey();
            RoleInfo there = destination.roles().get(role);
            // a role pgferry creates is granted to its user (createrole_self_grant); its own user it is
            if (there == null || role.equals(user) || destination.rolesUserCanBecome().contains(role)) {
                continue;
            }
            SourceFacts.Owned owned = owner.getValue();
            cannot.add(role + (there.superuser() ? " (a superuser there)" : "") + ", owner of "
                    + String.join(", ", owned.named()) + (owned.objects() > owned.named().size()
                            ? " and " + (owned.objects() - owned.named().size()) + " more object(s)" : ""));
        }
        if (cannot.isEmpty()) {
            return Check.ok("destination.owners", "pgferry's user " + user + " can create every object of " + in.db()
                    + " as its owner");
        }
        return Check.block("destination.owners", "pgferry's user " + user + " is no superuser and cannot act as "
                + "these existing destination roles, so it cannot create their objects: " + String.join("; ", cannot),
                "For a role that is not a superuser: GRANT <role> TO " + user + " WITH INHERIT TRUE, SET TRUE on the "
                        + "destination (as a role with ADMIN on it). For a superuser role (such as postgres): give "
                        + "its objects to an application role on the source (ALTER ... OWNER TO <role>), or connect "
                        + "to the destination as a superuser.");
    }

    private static Check superuserOnly(CheckInput in, SourceFacts facts, ServerFacts destination) {
        List<String> objects = new ArrayList<>(facts.superuserOnlyObjects());
        for (String extension : new TreeSet<>(facts.extensions())) {
            if (!extension.equals("plpgsql") && destination.extensionsNeedingSuperuser().contains(extension)) {
                objects.add("extension " + extension + " (not trusted)");
            }
        }
        if (objects.isEmpty()) {
            return Check.ok("destination.superuser_objects", "nothing in " + in.db() + " needs a superuser to "
                    + "create");
        }
        return Check.block("destination.superuser_objects", "only a superuser may create these objects of " + in.db()
                + ", and pgferry's user " + destination.user().name() + " is none: " + shortList(objects),
                "Connect to the destination as a superuser; or drop them on the source for the migration (event "
                        + "triggers, untrusted functions) and have the provider's admin recreate them on the "
                        + "destination after the cutover; for an extension, ask the provider to allow it (some "
                        + "services install it for you).");
    }
}
