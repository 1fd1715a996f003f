package dev.pgferry.status;

import dev.pgferry.monitor.ExactCounter.TableName;
import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.monitor.ServerFacts.Membership;
import dev.pgferry.replication.PublishedTable;
import java.util.List;

/**
 * One idempotent step the planner asks for. Each can be interrupted at any point and run again:
 * it checks the catalog first or tolerates "already exists".
 */
public sealed interface Action {

    private static String shortList(List<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }

    /** What the step does, in the words of the plan view. */
    String describe();

    record CreatePublication(String publication, List<PublishedTable> tables) implements Action {
        public CreatePublication {
            tables = List.copyOf(tables);
        }

        public String describe() {
            return "create publication " + publication + " on the source for " + tables.size() + " table(s)"
                    + (tables.isEmpty() ? "" : ": " + shortList(tables.stream().map(PublishedTable::toString).toList()))
                    + " (partitioned tables through their root)";
        }
    }

    record CreateRoles(List<String> roles, List<Membership> memberships) implements Action {
        public CreateRoles {
            roles = List.copyOf(roles);
            memberships = List.copyOf(memberships);
        }

        public String describe() {
            return "create role(s) " + (roles.isEmpty() ? "(none)" : shortList(roles)) + " on the destination"
                    + (memberships.isEmpty() ? "" : " and grant " + memberships.size() + " membership(s)");
        }
    }

    record CreateDatabase(String database, DatabaseInfo source) implements Action {
        public String describe() {
            return "create database " + database + " on the destination (encoding " + source.encoding()
                    + ", LC_COLLATE " + source.collate() + ", LC_CTYPE " + source.ctype() + ")";
        }
    }

    /**
     * Records an existing, empty destination database as pgferry's: one it created but stopped
     * before recording ({@code how} "created"), or one handed over in ADOPT_DATABASES ("adopted").
     */
    record ClaimDatabase(String database, String how) implements Action {
        public String describe() {
            return "record database " + database + " on the destination as pgferry's ("
                    + ("adopted".equals(how) ? "handed over in ADOPT_DATABASES" : "created by pgferry") + "; empty)";
        }
    }

    record ConfigureDatabase(String database, DatabaseInfo source) implements Action {
        public String describe() {
            return "give database " + database + " the source's owner (" + source.owner() + "), privileges and "
                    + "settings";
        }
    }

    record CopySchema(String database, List<String> filter) implements Action {
        public CopySchema {
            filter = List.copyOf(filter);
        }

        public String describe() {
            return "copy the schema of " + database + " with pg_dump --schema-only"
                    + (filter.isEmpty() ? "" : " " + String.join(" ", filter)) + " | pg_restore --single-transaction";
        }
    }

    record RecordCompletion(String database) implements Action {
        public String describe() {
            return "record " + database + " complete (schema-only: nothing to replicate)";
        }
    }

    /**
     * {@code copyGeneration}: the database's snapshot-copy generation the step was planned on; it
     * is not carried out once a copy started or ended since (see {@link PlanInput#copyGeneration}).
     */
    record DropInactiveSlot(String slot, long copyGeneration) implements Action {
        public String describe() {
            return "drop the leftover replication slot " + slot + " on the source (not in use)";
        }
    }

    record CreateSubscription(String subscription, String publication, String slot) implements Action {
        public String describe() {
            return "create subscription " + subscription + " on the destination (creates slot " + slot
                    + ", copy_data = true)";
        }
    }

    /**
     * The snapshot copy, run in the background: slot with an exported snapshot, schema without
     * indexes, parallel table copy, indexes per table as its rows are in, the rest of the schema,
     * then a subscription on the slot.
     */
    record StartSnapshotCopy(String database, String slot, List<String> filter) implements Action {
        public StartSnapshotCopy {
            filter = List.copyOf(filter);
        }

        public String describe() {
            return "copy " + database + " from the exported snapshot of a new slot " + slot + ": schema without "
                    + "indexes, tables in parallel (large ones in ranges), each table's indexes once its rows are "
                    + "in, then a subscription on the slot (copy_data = false)";
        }
    }

    /**
     * A snapshot copy was interrupted after it finished some tables (recorded on the destination,
     * with its slot still on the source): the finished tables are kept and subscribed on the slot,
     * the others emptied and given to PostgreSQL's table synchronization; once every table is
     * synchronized the rest of the schema is restored. Also planned while streaming until that
     * rest is in. {@code tables}: every table the publication is to have; {@code kept} of
     * {@code total} tables were finished when planned.
     */
    record ResumeSnapshotCopy(String database, String slot, List<PublishedTable> tables, List<String> filter,
            int kept, int total) implements Action {
        public ResumeSnapshotCopy {
            tables = List.copyOf(tables);
            filter = List.copyOf(filter);
        }

        public String describe() {
            return "resume the interrupted snapshot copy of " + database + ": keep the tables it finished (" + kept
                    + " of " + total + " recorded; a partitioned table only with all its partitions), subscribed on its "
                    + "slot " + slot + ", which streams their changes from the copy's snapshot; empty the others and "
                    + "give them to table synchronization (copy_data = true); restore the rest of the schema once "
                    + "every table is synchronized";
        }
    }

    /**
     * A snapshot copy was interrupted (pgferry stopped, a server failed): its partial destination
     * database is dropped so that the copy starts over from an empty one, never subscribing on top
     * of partial data. Only a database pgferry recorded as its own is dropped (checked again when
     * the step runs), and only while nothing has subscribed to it.
     */
    record ResetInterruptedCopy(String database, long copyGeneration) implements Action {
        public String describe() {
            return "start the interrupted snapshot copy of " + database + " over: drop the partial destination "
                    + "database " + database + " (no subscription yet) to create it again";
        }
    }

    record DropSubscription(String subscription) implements Action {
        public String describe() {
            return "drop subscription " + subscription + " on the destination (and with it the slot on the source)";
        }
    }

    /**
     * The source is unreachable: the subscription lets go of its slot (slot_name = NONE) so that
     * it can be dropped without the source; the slot and publication stay there until pgferry
     * sees the source again or an operator drops them.
     */
    record DetachSubscription(String subscription) implements Action {
        public String describe() {
            return "detach subscription " + subscription + " from its slot and drop it (the source is unreachable)";
        }
    }

    /**
     * Carries schema changes over to the destination (their ids: the applier compares again and
     * applies only those still there), publishes tables both sides have that the publication
     * misses, and refreshes the subscription; {@code what} says each change for the plan view.
     */
    record ApplySchemaChanges(List<String> ids, List<PublishedTable> unpublished, boolean refresh, List<String> what)
            implements Action {
        public ApplySchemaChanges {
            ids = List.copyOf(ids);
            unpublished = List.copyOf(unpublished);
            what = List.copyOf(what);
        }

        public String describe() {
            List<String> parts = new java.util.ArrayList<>();
            if (!what.isEmpty()) {
                parts.add("apply " + what.size() + " schema change(s) on the destination: " + shortList(what));
            }
            if (!unpublished.isEmpty()) {
                parts.add("add " + shortList(unpublished.stream().map(PublishedTable::toString).toList())
                        + " to the publication");
            }
            if (refresh || !unpublished.isEmpty()) {
                parts.add("refresh the subscription (new tables get their initial copy)");
            }
            return String.join("; ", parts);
        }
    }

    /** DDL_CAPTURE: the event trigger that records the source's DDL statements, installed in the source database. */
    record InstallDdlCapture(String name) implements Action {
        public String describe() {
            return "install the DDL capture " + name + " in the source database (an event trigger that records each DDL "
                    + "statement; DDL_CAPTURE=true)";
        }
    }

    /** Removes pgferry's DDL capture from the source database (complete, or DDL_CAPTURE turned off). */
    record RemoveDdlCapture(String name) implements Action {
        public String describe() {
            return "remove the DDL capture " + name + " from the source database";
        }
    }

    /** The subscription's connection string as the configuration gives it now; the password is never shown. */
    record UpdateSubscriptionConnection(String subscription) implements Action {
        public String describe() {
            return "give subscription " + subscription + " the source's current password and replication address "
                    + "(ALTER SUBSCRIPTION ... CONNECTION; the value is not shown)";
        }
    }

    record DropPublication(String publication) implements Action {
        public String describe() {
            return "drop publication " + publication + " on the source";
        }
    }

    /**
     * The reverse direction, first step: a publication of the replicated tables in the destination
     * database (the forward publication's list), for the subscription the source will have.
     */
    record CreateReversePublication(String publication, List<PublishedTable> tables) implements Action {
        public CreateReversePublication {
            tables = List.copyOf(tables);
        }

        public String describe() {
            return "create publication " + publication + " on the destination for " + tables.size() + " table(s)"
                    + (tables.isEmpty() ? "" : ": " + shortList(tables.stream().map(PublishedTable::toString).toList()))
                    + " (the reverse direction)";
        }
    }

    /**
     * The reverse direction's slot on the destination, made once the forward subscription is
     * gone: every change the destination takes from then on is kept for the source.
     */
    record CreateReverseSlot(String slot) implements Action {
        public String describe() {
            return "create logical replication slot " + slot + " on the destination (pgoutput): every change made "
                    + "there from now on is kept for the source";
        }
    }

    /** The source database subscribes to the destination on the reverse slot, copying nothing. */
    record CreateReverseSubscription(String subscription, String publication, String slot) implements Action {
        public String describe() {
            return "create subscription " + subscription + " in the source database on slot " + slot
                    + " (copy_data = false): the destination's changes flow back to the source";
        }
    }

    record DropReverseSubscription(String subscription) implements Action {
        public String describe() {
            return "drop subscription " + subscription + " in the source database (letting go of its slot, which "
                    + "is dropped on the destination next)";
        }
    }

    record DropReverseSlot(String slot) implements Action {
        public String describe() {
            return "drop the replication slot " + slot + " on the destination (not in use)";
        }
    }

    record DropReversePublication(String publication) implements Action {
        public String describe() {
            return "drop publication " + publication + " on the destination";
        }
    }

    /** Rolling back: the source's sequences set from the destination's, never moved back. */
    record SetSourceSequences(String database) implements Action {
        public String describe() {
            return "set the sequences of " + database + " on the source from the destination (never moved back)";
        }
    }

    /** Rolling back: rows and checksums of every replicated table compared on both sides, drained and frozen. */
    record VerifyForRollback(String database, List<TableName> tables) implements Action {
        public VerifyForRollback {
            tables = List.copyOf(tables);
        }

        public String describe() {
            return "verify rows and checksums of the " + tables.size() + " table(s) of " + database
                    + " on both sides before going back";
        }
    }

    /**
     * Rolling back, last step: once every database of the mapping is verified, the source is
     * unfrozen and the rollback recorded; the reverse direction is removed next.
     */
    record FinishRollback(String database) implements Action {
        public String describe() {
            return "unfreeze the source once every database of the mapping is verified, and record " + database
                    + " rolled back";
        }
    }
}
