package dev.pgferry.preflight;

import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ServerFacts.SlotInfo;
import java.util.List;

/** Objects in the way: a foreign destination database, and pgferry's names taken by something else. */
final class ConflictChecks {

    private ConflictChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        ObservedDatabase o = in.database();
        String name = in.names().name();
        // data-only moves rows into a schema that is there on purpose
        boolean foreign = in.mapping().content() != dev.pgferry.config.Mapping.Content.DATA_ONLY
                && o.destinationDatabaseExists() && o.destinationTableCount() > 0 && !o.publicationExists()
                && o.subscription().isEmpty() && !o.completionRecorded();
        checks.add(foreign
                ? Check.block("destination.database_empty", "database " + in.db() + " already exists on destination "
                        + in.mapping().destination().name() + " and holds " + o.destinationTableCount() + " table(s)",
                        "Drop or rename that database on the destination, or leave " + in.db() + " out of this "
                                + "mapping.")
                : Check.ok("destination.database_empty", "database " + in.db() + " is absent or empty on the "
                        + "destination, or was created by pgferry"));
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
        Boolean viaRoot = o.sourceFacts().map(f -> f.publicationViaRoot()).orElse(null);
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
