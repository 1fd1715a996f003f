package dev.pgferry.preflight;

import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.replication.ReachabilityProbe;
import dev.pgferry.replication.SourceReach;
import java.util.List;

/**
 * What turning the replication around after the switch will need (ALLOW_REVERSE), checked from
 * the start so that nobody learns at cutover time that there is no way back: the destination
 * publishes (wal_level logical, a slot and a sender free, a user that may create a slot) and the
 * source subscribes (a worker free, a user that may create a subscription). Warnings: the forward
 * migration does not need any of it. Checked until the database is turned around.
 */
final class ReverseDirectionChecks {

    private ReverseDirectionChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        if (!in.mapping().allowReverse() || in.database().reverse().isPresent()) {
            return;
        }
        ServerFacts source = in.source().facts();
        ServerFacts destination = in.destination().facts();
        String walLevel = destination.settings().get("wal_level");
        checks.add("logical".equals(walLevel)
                ? Check.ok("reverse.destination_wal_level", "wal_level is logical on the destination")
                : Check.warn("reverse.destination_wal_level", "wal_level is " + walLevel + " on the destination; "
                        + "the reverse direction publishes from there", "Run ALTER SYSTEM SET wal_level = logical on "
                        + "the destination and restart it before the cutover."));
        checks.add(room("reverse.destination_replication_slots", "replication slots", destination,
                "max_replication_slots", destination.slotsUsed(), "destination"));
        checks.add(room("reverse.destination_wal_senders", "WAL senders", destination, "max_wal_senders",
                destination.walSendersUsed(), "destination"));
        checks.add(room("reverse.source_replication_workers", "logical replication workers", source,
                "max_logical_replication_workers", source.subscriptionWorkersUsed(), "source"));
        SourceReach reach = in.reverseReach();
        if (reach != null && !ReachabilityProbe.NOT_PROBED_YET.equals(reach.detail())) {
            checks.add(switch (reach.state()) {
                case REACHED -> Check.ok("reverse.destination_reachable", "the source reaches the destination at "
                        + reach.address() + " as the reverse subscription will");
                case UNREACHABLE -> Check.warn("reverse.destination_reachable", "the source server cannot connect to "
                        + "the destination at " + reach.address() + ": " + reach.detail(), "Open the path from the "
                        + "source to the destination (firewall, pg_hba.conf there), or set the destination's "
                        + "REPLICATION_HOST/REPLICATION_PORT to the address the source reaches it at.");
                case NO_PASSWORD_ASKED -> Check.warn("reverse.destination_reachable", "the destination lets the "
                        + "source in without a password at " + reach.address() + ": a reverse subscription owned by "
                        + "a non-superuser fails", "Give the source's address a scram-sha-256 line in the "
                        + "destination's pg_hba.conf.");
                case UNKNOWN -> Check.warn("reverse.destination_reachable", "whether the source reaches the "
                        + "destination could not be told: " + reach.detail(), "Make sure pgferry's user on the "
                        + "source may create a subscription, and that the source reaches the destination.");
            });
        }
        ServerFacts.UserRights onDestination = destination.user();
        checks.add(onDestination.superuser() || onDestination.replication()
                ? Check.ok("reverse.destination_user", onDestination.name() + " may create the reverse slot")
                : Check.warn("reverse.destination_user", onDestination.name() + " on the destination has neither "
                        + "SUPERUSER nor REPLICATION: it cannot create the reverse direction's slot",
                        "ALTER ROLE " + onDestination.name() + " REPLICATION on the destination (or its managed "
                                + "service's replication role) before the cutover."));
        ServerFacts.UserRights onSource = source.user();
        boolean subscribes = onSource.superuser() || source.major() >= 16 && onSource.createSubscription();
        checks.add(subscribes
                ? Check.ok("reverse.source_user", onSource.name() + " may create the reverse subscription")
                : Check.warn("reverse.source_user", onSource.name() + " on the source may not create a "
                        + "subscription (" + (source.major() >= 16 ? "not a member of pg_create_subscription"
                                : "PostgreSQL " + source.major() + " lets only superusers") + ")",
                        source.major() >= 16 ? "GRANT pg_create_subscription TO " + onSource.name() + " and GRANT "
                                + "CREATE ON DATABASE to it on the source before the cutover."
                                : "Let a superuser be pgferry's user on the source for the reverse direction."));
    }

    private static Check room(String id, String what, ServerFacts server, String setting, int used, String side) {
        int max = server.intSetting(setting);
        String seen = used + " of " + max + " " + what + " in use on the " + side;
        return max - used >= 1 ? Check.ok(id, seen)
                : Check.warn(id, seen + "; the reverse direction needs one more", "Raise " + setting + " on the "
                        + side + " (ALTER SYSTEM SET " + setting + " = " + (used + 1) + ", then restart it) before "
                        + "the cutover.");
    }
}
