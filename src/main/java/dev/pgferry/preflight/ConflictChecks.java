package dev.pgferry.preflight;

import dev.pgferry.config.Mapping.Content;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.ownership.Ownership;
import dev.pgferry.monitor.ServerFacts.SlotInfo;
import java.util.List;

/**
 * Objects in the way: a destination database that is not pgferry's, the destination's
 * maintenance database, and pgferry's names taken by something else.
 */
final class ConflictChecks {

    private ConflictChecks() {
    }

    /**
     * pgferry changes, empties or drops only a destination database it created or was handed
     * (data-only moves rows into the destination's own database and never does any of that).
     */
    private static void ownership(CheckInput in, List<Check> checks) {
        String maintenance = in.mapping().destination().maintenanceDatabase();
        if (in.db().equals(maintenance)) {
            checks.add(Check.block("destination.maintenance_database", "database " + in.db() + " is the maintenance "
                    + "database of destination " + in.mapping().destination().name() + ", where pgferry keeps its "
                    + "control schema; it is never a migration target", "Leave " + in.db() + " out of "
                    + in.mappingVariable("DATABASES") + ", or set " + CheckInput.instanceVariable(
                            in.mapping().destination().name(), "MAINTENANCE_DATABASE") + " to another database."));
        }
        ObservedDatabase o = in.database();
        if (in.mapping().content() == Content.DATA_ONLY || o.completionRecorded()) {
            return;
        }
        Ownership ownership = o.ownership();
        String destination = in.mapping().destination().name();
        switch (ownership.state()) {
            case ABSENT, OWNED, CLAIMABLE -> checks.add(Check.ok("destination.database_owned", "database " + in.db()
                    + " on destination " + destination + ": " + ownership.detail()));
            case FOREIGN -> checks.add(Check.block("destination.database_owned", "database " + in.db()
                    + " already exists on destination " + destination + " and is not pgferry's: " + ownership.detail(),
                    "pgferry changes only databases it created. Drop it yourself if it is not needed; or move rows "
                            + "only into it with " + in.mappingVariable("CONTENT") + "=data-only; or, if it is empty, "
                            + "hand it over with " + in.mappingVariable("ADOPT_DATABASES") + "=" + in.db() + "."));
            case UNKNOWN -> checks.add(Check.block("destination.database_owned", "database " + in.db()
                    + " exists on destination " + destination + ", and " + ownership.detail(), "See the "
                    + "destination.control_schema check; until pgferry can read its own records it changes nothing "
                    + "in existing databases."));
        }
    }

    static void add(CheckInput in, List<Check> checks) {
        ownership(in, checks);
        String name = in.names().name();
        checks.add(in.claimedBy() == null
                ? Check.ok("destination.database_claimed", "no other mapping writes " + in.db() + " on the destination")
                : Check.block("destination.database_claimed", "mapping " + in.claimedBy() + " already writes database "
                        + in.db() + " on destination " + in.mapping().destination().name(), "Leave " + in.db()
                        + " out of one of the two mappings (" + in.mappingVariable("DATABASES") + ")."));
        SlotInfo slot = in.source().facts().slots().get(name);
        boolean slotTaken = slot != null && !("logical".equals(slot.type()) && "pgoutput".equals(slot.plugin())
                && in.db().equals(slot.database()));
        checks.add(slotTaken
                ? Check.block("source.slot_name", "a replication slot named " + name + " exists on the source but is "
                        + slot.type() + (slot.plugin() == null ? "" : " (" + slot.plugin() + ")") + " for database "
                        + slot.database() + ", not pgferry's", "Drop that slot on the source "
                        + "(pg_drop_replication_slot) if it is unused, or rename this mapping.")
                : Check.ok("source.slot_name", "slot name " + name + " is free or pgferry's"));
        Boolean viaRoot = in.database().sourceFacts().map(f -> f.publicationViaRoot()).orElse(null);
        checks.add(Boolean.FALSE.equals(viaRoot)
                ? Check.block("source.publication_name", "a publication named " + name + " exists in " + in.db()
                        + " on the source but was not created by pgferry (publish_via_partition_root is off)",
                        "Drop or rename that publication on the source, or rename this mapping.")
                : Check.ok("source.publication_name", "publication name " + name + " is free or pgferry's"));
        String subscriptionDatabase = in.destination().facts().subscriptionDatabases().get(name);
        checks.add(subscriptionDatabase != null && !subscriptionDatabase.equals(in.db())
                ? Check.block("destination.subscription_name", "a subscription named " + name + " exists in database "
                        + subscriptionDatabase + " on the destination", "Drop that subscription on the destination if "
                        + "it is not in use, or rename this mapping.")
                : Check.ok("destination.subscription_name", "subscription name " + name + " is free or pgferry's"));
    }
}
