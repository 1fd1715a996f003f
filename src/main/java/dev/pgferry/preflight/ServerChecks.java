package dev.pgferry.preflight;

import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ServerFacts;
import java.util.List;

/** Versions, wal_level, and room for one more slot, sender, worker and origin. */
final class ServerChecks {

    static final int MIN_SOURCE_MAJOR = 13;
    static final int MIN_DESTINATION_MAJOR = 15;

    private ServerChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        ServerFacts source = in.source().facts();
        ServerFacts destination = in.destination().facts();
        checks.add(versions(source.major(), destination.major()));
        String walLevel = source.settings().get("wal_level");
        checks.add("logical".equals(walLevel)
                ? Check.ok("source.wal_level", "wal_level is logical")
                : Check.block("source.wal_level", "wal_level is " + walLevel + " on the source; logical "
                        + "replication needs logical", "Run ALTER SYSTEM SET wal_level = logical on the source "
                        + "and restart it."));
        ObservedDatabase o = in.database();
        boolean slotExists = o.slot().isPresent();
        boolean slotActive = o.slot().map(ObservedDatabase.Slot::active).orElse(false);
        boolean subscribed = o.subscription().isPresent();
        int syncWorkers = Math.max(destination.intSetting("max_sync_workers_per_subscription"), 0);
        checks.add(capacity("source.replication_slots", "replication slots", source.intSetting("max_replication_slots"),
                source.slotsUsed(), slotExists ? 0 : 1, syncWorkers, "max_replication_slots", "source"));
        checks.add(capacity("source.wal_senders", "WAL senders", source.intSetting("max_wal_senders"),
                source.walSendersUsed(), slotActive ? 0 : 1, syncWorkers, "max_wal_senders", "source"));
        checks.add(capacity("destination.replication_workers", "logical replication workers",
                destination.intSetting("max_logical_replication_workers"), destination.subscriptionWorkersUsed(),
                subscribed ? 0 : 1, syncWorkers, "max_logical_replication_workers", "destination"));
        int origins = destination.intSetting("max_active_replication_origins");
        if (origins >= 0) {
            checks.add(capacity("destination.replication_origins", "active replication origins", origins,
                    destination.replicationOriginsUsed(), subscribed ? 0 : 1, syncWorkers,
                    "max_active_replication_origins", "destination"));
        }
    }

    private static Check versions(int source, int destination) {
        if (source < MIN_SOURCE_MAJOR || destination < MIN_DESTINATION_MAJOR) {
            return Check.block("versions", "source is PostgreSQL " + source + ", destination " + destination
                    + "; pgferry needs a source of " + MIN_SOURCE_MAJOR + " or later and a destination of "
                    + MIN_DESTINATION_MAJOR + " or later", "Upgrade the older server in place first, or choose "
                    + "other servers.");
        }
        if (destination < source) {
            return Check.block("versions", "destination PostgreSQL " + destination + " is older than source "
                    + "PostgreSQL " + source, "Choose a destination of PostgreSQL " + source + " or later.");
        }
        return Check.ok("versions", "PostgreSQL " + source + " -> " + destination);
    }

    /**
     * Blocks when the server has no room for what this database still needs; warns when the
     * table-sync workers of the initial copy would have to wait for room.
     */
    private static Check capacity(String id, String what, int max, int used, int needed, int syncWorkers,
            String setting, String side) {
        int free = max - used;
        String seen = used + " of " + max + " " + what + " in use on the " + side;
        if (free < needed) {
            return Check.block(id, seen + "; this database needs " + needed + " more", "Raise " + setting + " on the "
                    + side + " (ALTER SYSTEM SET " + setting + " = " + (used + needed + syncWorkers)
                    + ", then restart it) or free some.");
        }
        if (needed > 0 && free < needed + syncWorkers) {
            return Check.warn(id, seen + "; the initial copy's " + syncWorkers + " table-sync workers will have to "
                    + "take turns", "Raise " + setting + " on the " + side + " to at least " + (used + needed
                    + syncWorkers) + " for a faster initial copy.");
        }
        return Check.ok(id, seen);
    }
}
