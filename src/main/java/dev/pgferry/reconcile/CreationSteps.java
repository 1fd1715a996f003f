package dev.pgferry.reconcile;

import dev.pgferry.status.Action;
import dev.pgferry.config.Mapping.Content;
import dev.pgferry.config.Mapping.TablesWithoutKey;
import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.Membership;
import dev.pgferry.monitor.SourceFacts;
import dev.pgferry.monitor.SourceFacts.Relation;
import dev.pgferry.ownership.Ownership;
import dev.pgferry.status.Action.ClaimDatabase;
import dev.pgferry.status.Action.ConfigureDatabase;
import dev.pgferry.status.Action.CopySchema;
import dev.pgferry.status.Action.CreateDatabase;
import dev.pgferry.status.Action.CreatePublication;
import dev.pgferry.status.Action.CreateRoles;
import dev.pgferry.status.Action.CreateSubscription;
import dev.pgferry.status.Action.DropInactiveSlot;
import dev.pgferry.status.Action.RecordCompletion;
import dev.pgferry.status.Action.ResetInterruptedCopy;
import dev.pgferry.status.Action.ResumeSnapshotCopy;
import dev.pgferry.monitor.ObservedInstance.CopyRecord;
import java.util.Optional;
import dev.pgferry.status.Action.StartSnapshotCopy;
import dev.pgferry.config.CopyMethod;
import dev.pgferry.replication.PublishedTable;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.schema.DumpFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: the steps still to take for one database, in order: publication, roles, database,
 * schema, subscription (schema-only: no publication or subscription, then the completion is
 * recorded; data-only: publication and subscription only). Part of the planner.
 */
final class CreationSteps {

    private CreationSteps() {
    }

    static List<Action> of(PlanInput in, ObservedDatabase o, ReplicationNames names) {
        List<Action> steps = new ArrayList<>();
        SourceFacts facts = o.sourceFacts().orElse(null);
        Content content = in.mapping().content();
        if (content != Content.SCHEMA_ONLY && !o.publicationExists()) {
            steps.add(new CreatePublication(names.publication(), facts == null ? List.of()
                    : publishedTables(facts.within(in.mapping().scope()), in.mapping().tablesWithoutKey())));
        }
        boolean snapshot = in.mapping().copyMethod() == CopyMethod.SNAPSHOT && content == Content.SCHEMA_AND_DATA;
        if (snapshot) {
            return snapshotSteps(in, o, names, facts, steps);
        }
        if (content != Content.DATA_ONLY) {
            schemaSteps(in, o, facts, steps);
        }
        if (content == Content.SCHEMA_ONLY) {
            steps.add(new RecordCompletion(o.database()));
            return steps;
        }
        if (o.slot().isPresent()) {
            steps.add(new DropInactiveSlot(names.slot(), in.copyGeneration()));
        }
        steps.add(new CreateSubscription(names.subscription(), names.publication(), names.slot()));
        return steps;
    }

    /**
     * The snapshot method: roles and the database as usual; then the copy, which restores the
     * schema itself (as of its snapshot). A database of pgferry's own that holds anything, without
     * a subscription and with no copy running here, is an interrupted copy: it resumes when its
     * records allow (see {@link #resumable}); otherwise its slot is dropped and the partial
     * database reset, and the copy starts over on a later tick. Someone else's
     * database is never taken for one: the ownership check blocks before any of this runs.
     */
    private static List<Action> snapshotSteps(PlanInput in, ObservedDatabase o, ReplicationNames names,
            SourceFacts facts, List<Action> steps) {
        boolean interrupted = o.ownership().owned() && !o.ownership().empty();
        Optional<CopyRecord> record = in.destination().copy(in.mapping().name(), o.database());
        if (interrupted && facts != null && resumable(o, record)) {
            steps.add(resume(in, o, names, facts, record.get()));
            return steps;
        }
        if (!interrupted) {
            databaseSteps(in, o, facts, steps);
        }
        if (o.slot().isPresent()) {
            steps.add(new DropInactiveSlot(names.slot(), in.copyGeneration()));
        }
        if (interrupted) {
            steps.add(new ResetInterruptedCopy(o.database(), in.copyGeneration()));
            return steps;
        }
        steps.add(new StartSnapshotCopy(o.database(), names.slot(), facts == null ? List.of()
                : DumpFilter.arguments(in.mapping().scope(), facts.relations())));
        return steps;
    }

    /**
     * An interrupted copy resumes when its record names this database, the schema as of its
     * snapshot was restored, it finished tables holding rows (one that finished only empty tables
     * has nothing to keep, and its own parallel ranges copy the rest faster than table
     * synchronization would), and its slot (whose consistent point
     * is that snapshot's) is still there. Otherwise it starts over. (A slot still held by the
     * session of a pgferry that just died is no reason to start over: the resume fails to
     * subscribe and is tried again once the server has ended that session.)
     */
    static boolean resumable(ObservedDatabase o, Optional<CopyRecord> record) {
        return record.isPresent() && record.get().schemaRestored() && record.get().copiedRows() > 0
                && o.slot().isPresent();
    }

    /** The resume of the database's interrupted copy, with every table the publication is to have. */
    static ResumeSnapshotCopy resume(PlanInput in, ObservedDatabase o, ReplicationNames names, SourceFacts facts,
            CopyRecord record) {
        return new ResumeSnapshotCopy(o.database(), names.slot(),
                publishedTables(facts.within(in.mapping().scope()), in.mapping().tablesWithoutKey()),
                DumpFilter.arguments(in.mapping().scope(), facts.relations()), record.copied(), record.tables());
    }

    /**
     * Roles, database and its settings, schema: what schema-and-data and schema-only create. The
     * schema is restored in one transaction, so a database of pgferry's that holds anything has it.
     */
    private static void schemaSteps(PlanInput in, ObservedDatabase o, SourceFacts facts, List<Action> steps) {
        databaseSteps(in, o, facts, steps);
        if (o.ownership().empty()) {
            steps.add(new CopySchema(o.database(), facts == null ? List.of()
                    : DumpFilter.arguments(in.mapping().scope(), facts.relations())));
        }
    }

    /** Roles, the database and its settings. */
    private static void databaseSteps(PlanInput in, ObservedDatabase o, SourceFacts facts, List<Action> steps) {
        if (facts != null && in.source().facts() != null && in.destination().facts() != null) {
            CreateRoles roles = missingRoles(facts.neededRoles(), in.source().facts(), in.destination().facts());
            if (!roles.roles().isEmpty() || !roles.memberships().isEmpty()) {
                steps.add(roles);
            }
        }
        DatabaseInfo source = in.source().databases().get(o.database());
        Ownership ownership = o.ownership();
        if (ownership.state() == Ownership.State.ABSENT) {
            steps.add(new CreateDatabase(o.database(), source == null
                    ? new DatabaseInfo("UTF8", null, null, null, null) : source));
        } else if (ownership.state() == Ownership.State.CLAIMABLE) {
            steps.add(new ClaimDatabase(o.database(), in.mapping().adoptDatabases().contains(o.database())
                    && in.destination().ownershipRecord(in.mapping().name(), o.database()) == null
                    ? "adopted" : "created"));
        }
        DatabaseInfo destination = in.destination().databases().get(o.database());
        if (source != null && (destination == null || !destination.configuredLike(source))) {
            steps.add(new ConfigureDatabase(o.database(), source));
        }
    }

    /**
     * Top-level permanent tables; with the exclude remedy, a table is left out when it or any of
     * its partitions has neither a key nor a replica identity.
     */
    static List<PublishedTable> publishedTables(SourceFacts facts, TablesWithoutKey remedy) {
        Set<String> excludedRoots = new HashSet<>();
        if (remedy == TablesWithoutKey.EXCLUDE) {
            facts.relations().stream().filter(r -> !r.partitioned() && !r.unlogged() && !r.hasKey())
                    .forEach(r -> excludedRoots.add(r.rootSchema() + "\u0000" + r.rootName()));
        }
        return facts.relations().stream()
                .filter(Relation::topLevel)
                .filter(r -> !r.unlogged())
                .filter(r -> !excludedRoots.contains(r.schema() + "\u0000" + r.name()))
                .map(r -> new PublishedTable(r.schema(), r.name()))
                .toList();
    }

    /** Needed roles absent on the destination, and memberships among needed roles it lacks. */
    static CreateRoles missingRoles(Set<String> needed, ServerFacts source, ServerFacts destination) {
        List<String> roles = new TreeSet<>(needed).stream()
                .filter(r -> source.roles().containsKey(r) && !destination.roles().containsKey(r)).toList();
        Set<Membership> present = new HashSet<>(destination.memberships());
        List<Membership> memberships = source.memberships().stream()
                .filter(m -> needed.contains(m.role()) && needed.contains(m.member()))
                .filter(m -> !present.contains(m))
                .sorted(java.util.Comparator.comparing(Membership::role).thenComparing(Membership::member))
                .toList();
        return new CreateRoles(roles, memberships);
    }
}
