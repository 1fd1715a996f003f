package dev.pgferry.preflight;

import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.UserRights;
import dev.pgferry.monitor.SourceFacts;
import java.util.ArrayList;
import java.util.List;

/** Can the migration user replicate, read everything, publish, create the database and subscribe? */
final class PrivilegeChecks {

    private static final int SHOWN = 5;

    private PrivilegeChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        UserRights source = in.source().facts().user();
        checks.add(source.superuser() || source.replication()
                ? Check.ok("source.privileges.replication", source.name() + " may replicate")
                : Check.block("source.privileges.replication", source.name() + " has neither REPLICATION nor "
                        + "superuser on the source", "Run ALTER ROLE " + source.name() + " REPLICATION on the source "
                        + "(on managed services: grant the provider's replication role)."));
        in.databaseFacts().ifPresent(facts -> {
            checks.add(read(source, facts));
            checks.add(publish(source, facts));
        });
        checks.add(destination(in));
    }

    private static Check read(UserRights user, SourceFacts facts) {
        List<String> unreadable = new ArrayList<>();
        facts.relations().stream().filter(r -> !r.readable() && !r.partitioned()).forEach(r -> unreadable.add(
                r.qualifiedName()));
        unreadable.addAll(facts.unreadableSequences());
        if (unreadable.isEmpty()) {
            return Check.ok("source.privileges.read", user.name() + " can read every table and sequence");
        }
        return Check.block("source.privileges.read", user.name() + " cannot read " + unreadable.size()
                + " table(s) or sequence(s): " + shortList(unreadable), "Run GRANT pg_read_all_data TO "
                + user.name() + " on the source (PostgreSQL 14+), or grant SELECT on those objects.");
    }

    private static Check publish(UserRights user, SourceFacts facts) {
        List<String> notOwned = facts.relations().stream().filter(r -> r.topLevel() && !r.owned())
                .map(SourceFacts.Relation::qualifiedName).toList();
        if (!facts.canCreateInDatabase() && !user.superuser()) {
            return Check.block("source.privileges.publication", user.name() + " lacks CREATE on the source "
                    + "database, needed to create the publication", "Run GRANT CREATE ON DATABASE <database> TO "
                    + user.name() + " on the source.");
        }
        if (!user.superuser() && !notOwned.isEmpty()) {
            return Check.block("source.privileges.publication", user.name() + " does not own " + notOwned.size()
                    + " table(s) it must publish: " + shortList(notOwned), "Connect as a superuser or as a member of "
                    + "the tables' owner role (GRANT <owner> TO " + user.name() + ") on the source.");
        }
        return Check.ok("source.privileges.publication", user.name() + " can create the publication");
    }

    private static Check destination(CheckInput in) {
        ServerFacts facts = in.destination().facts();
        UserRights user = facts.user();
        boolean canSubscribe = user.superuser() || (facts.major() >= 16 && user.createSubscription());
        if (!canSubscribe) {
            return Check.block("destination.privileges", user.name() + " may not create subscriptions on the "
                    + "destination", facts.major() >= 16 ? "Run GRANT pg_create_subscription TO " + user.name()
                    + " on the destination." : "Connect to the destination as a superuser (PostgreSQL "
                    + facts.major() + " lets only superusers create subscriptions).");
        }
        if (!facts.recordsWritable()) {
            String maintenance = in.mapping().destination().maintenanceDatabase();
            return Check.block("destination.privileges", user.name() + " may not create schema pgferry in the "
                    + "destination's maintenance database " + maintenance + ", where pgferry keeps its records (which "
                    + "databases it created, audit log, completion markers)", "Run GRANT CREATE ON DATABASE "
                    + dev.pgferry.pg.Identifiers.quote(maintenance) + " TO " + dev.pgferry.pg.Identifiers.quote(
                            user.name()) + " on the destination (as its owner or the service's admin), or set "
                    + CheckInput.instanceVariable(in.mapping().destination().name(), "MAINTENANCE_DATABASE")
                    + " to a database where it may.");
        }
        if (!in.database().destinationDatabaseExists() && !user.superuser() && !user.createdb()) {
            return Check.block("destination.privileges", user.name() + " may not create database " + in.db()
                    + " on the destination", "Run ALTER ROLE " + user.name() + " CREATEDB on the destination, or "
                    + "create the database there yourself (empty).");
        }
        return Check.ok("destination.privileges", user.name() + " can create the database and the subscription");
    }

    static String shortList(List<String> names) {
        return names.size() <= SHOWN ? String.join(", ", names)
                : String.join(", ", names.subList(0, SHOWN)) + " and " + (names.size() - SHOWN) + " more";
    }
}
