package dev.pgferry.reconcile;

import dev.pgferry.status.Action;
import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.CompletionMarker;
import dev.pgferry.pg.ActionException;
import dev.pgferry.ownership.OwnershipRecords;
import dev.pgferry.status.Action.ApplySchemaChanges;
import dev.pgferry.status.Action.ClaimDatabase;
import dev.pgferry.schemachange.SchemaChangeApplier;
import dev.pgferry.schemachange.DdlCapture;
import dev.pgferry.status.Action.InstallDdlCapture;
import dev.pgferry.status.Action.RemoveDdlCapture;
import dev.pgferry.status.Action.FinishRollback;
import dev.pgferry.status.Action.SetSourceSequences;
import dev.pgferry.status.Action.VerifyForRollback;
import dev.pgferry.cutover.RollbackSteps;
import dev.pgferry.status.Action.CreateReversePublication;
import dev.pgferry.status.Action.CreateReverseSlot;
import dev.pgferry.status.Action.CreateReverseSubscription;
import dev.pgferry.status.Action.DropReversePublication;
import dev.pgferry.status.Action.DropReverseSlot;
import dev.pgferry.status.Action.DropReverseSubscription;
import dev.pgferry.status.Action.ConfigureDatabase;
import dev.pgferry.status.Action.CopySchema;
import dev.pgferry.status.Action.CreateDatabase;
import dev.pgferry.status.Action.CreatePublication;
import dev.pgferry.status.Action.CreateRoles;
import dev.pgferry.status.Action.CreateSubscription;
import dev.pgferry.status.Action.DetachSubscription;
import dev.pgferry.status.Action.DropInactiveSlot;
import dev.pgferry.status.Action.DropPublication;
import dev.pgferry.status.Action.DropSubscription;
import dev.pgferry.status.Action.UpdateSubscriptionConnection;
import dev.pgferry.status.Action.RecordCompletion;
import dev.pgferry.status.Action.ResetInterruptedCopy;
import dev.pgferry.status.Action.StartSnapshotCopy;
import dev.pgferry.status.Action.ResumeSnapshotCopy;
import dev.pgferry.copy.SnapshotCopies;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.ReplicationObjects;
import dev.pgferry.schema.DatabaseCreator;
import dev.pgferry.schema.RoleCopier;
import dev.pgferry.schema.SchemaCopier;
import org.springframework.stereotype.Component;

/** The thin actor: carries out one planned action with the feature that owns it. */
@Component
class ActionRunner {

    private final ReplicationObjects replication;
    private final DatabaseCreator databases;
    private final SchemaCopier schema;
    private final RoleCopier roles;
    private final CompletionMarker completion;
    private final SnapshotCopies copies;
    private final OwnershipRecords ownership;
    private final ControlRecords records;
    private final RollbackSteps rollback;
    private final SchemaChangeApplier schemaChanges;
    private final DdlCapture ddlCapture;

    ActionRunner(ReplicationObjects replication, DatabaseCreator databases, SchemaCopier schema, RoleCopier roles,
            CompletionMarker completion, SnapshotCopies copies, OwnershipRecords ownership, ControlRecords records,
            RollbackSteps rollback, SchemaChangeApplier schemaChanges, DdlCapture ddlCapture) {
        this.schemaChanges = schemaChanges;
        this.ddlCapture = ddlCapture;
        this.rollback = rollback;
        this.records = records;
        this.copies = copies;
        this.ownership = ownership;
        this.replication = replication;
        this.databases = databases;
        this.schema = schema;
        this.roles = roles;
        this.completion = completion;
    }

    /**
     * Carries out one planned action. The steps that undo an interrupted copy check first that no
     * copy of the database started or ended since they were planned: a copy that finished and
     * subscribed meanwhile is no interrupted copy.
     */
    void run(Mapping mapping, String database, Action action) throws ActionException {
        perform(mapping, database, action);
        if (AUDITED.contains(action.getClass())) {
            // turning around and rolling back change both servers: each step is on the audit log
            records.auditAfterwards(mapping.destination(), "pgferry", "step", mapping.name(), database,
                    action.describe());
        }
    }

    /** The steps of turning a mapping around and of rolling it back, and pgferry's objects in the source database. */
    private static final java.util.Set<Class<?>> AUDITED = java.util.Set.of(CreateReversePublication.class,
            CreateReverseSlot.class, CreateReverseSubscription.class, DropReverseSubscription.class,
            DropReverseSlot.class, DropReversePublication.class, SetSourceSequences.class, VerifyForRollback.class,
            FinishRollback.class, InstallDdlCapture.class, RemoveDdlCapture.class);

    private void perform(Mapping mapping, String database, Action action) throws ActionException {
        switch (action) {
            case CreatePublication a ->
                replication.createPublication(mapping.source(), database, a.publication(), a.tables());
            case CreateRoles a -> roles.copy(mapping, database, a.roles(), a.memberships());
            case CreateDatabase a -> databases.create(mapping, a.database(), a.source());
            case ClaimDatabase a -> ownership.claim(mapping.destination(), mapping.name(), a.database(), a.how());
            case ConfigureDatabase a -> databases.configure(mapping, a.database(), a.source());
            case CopySchema a -> schema.copy(mapping, a.database(), a.filter());
            case DropInactiveSlot a -> {
                requireSameCopyGeneration(mapping, database, a.copyGeneration(), a);
                replication.dropInactiveSlot(mapping, database, a.slot());
            }
            case CreateSubscription a ->
                replication.createSubscription(mapping, database, ReplicationNames.of(mapping.name(), database));
            case RecordCompletion a -> completion.markSchemaOnlyDone(mapping, a.database());
            case StartSnapshotCopy a -> copies.start(mapping, a.database(), a.filter());
            case ResumeSnapshotCopy a -> copies.resume(mapping, a.database(), a.tables(), a.filter());
            case ResetInterruptedCopy a -> {
                requireSameCopyGeneration(mapping, database, a.copyGeneration(), a);
                databases.dropPartialCopy(mapping, a.database());
            }
            case DropSubscription a -> replication.dropSubscription(mapping.destination(), database, a.subscription());
            case DetachSubscription a ->
                replication.detachAndDropSubscription(mapping.destination(), database, a.subscription());
            case DropPublication a -> replication.dropPublication(mapping.source(), database, a.publication());
            case CreateReversePublication a ->
                replication.createPublication(mapping.destination(), database, a.publication(), a.tables());
            case CreateReverseSlot a -> replication.createReverseSlot(mapping.destination(), database, a.slot());
            case CreateReverseSubscription a ->
                replication.createReverseSubscription(mapping, database, ReplicationNames.reverse(mapping.name(),
                        database));
            case DropReverseSubscription a ->
                replication.detachAndDropSubscription(mapping.source(), database, a.subscription());
            case DropReverseSlot a -> replication.dropReverseSlot(mapping.destination(), database, a.slot());
            case DropReversePublication a ->
                replication.dropPublication(mapping.destination(), database, a.publication());
            case SetSourceSequences a -> rollback.setSourceSequences(mapping, database);
            case VerifyForRollback a -> rollback.verify(mapping, database, a.tables());
            case FinishRollback a -> rollback.finish(mapping, database);
            case InstallDdlCapture a -> ddlCapture.install(mapping, database);
            case RemoveDdlCapture a -> ddlCapture.remove(mapping.source(), mapping.name(), database);
            case ApplySchemaChanges a ->
                schemaChanges.apply(mapping, database, a.ids(), a.unpublished(), a.refresh(), null);
            case UpdateSubscriptionConnection a -> {
                replication.updateSubscriptionConnection(mapping, database, a.subscription());
                records.auditAfterwards(mapping.destination(), "pgferry", "subscription-connection", mapping.name(),
                        database, "subscription " + a.subscription() + " given the source's current password and "
                                + "replication address (" + mapping.source().replication().address() + ")");
            }
        }
    }

    private void requireSameCopyGeneration(Mapping mapping, String database, long planned, Action action)
            throws ActionException {
        if (copies.generation(mapping.name(), database) != planned) {
            // not a failure: the next tick plans on what is there now
            throw new ActionException("not done: " + action.describe() + " (a snapshot copy of " + database
                    + " started or ended after the tick looked; the next tick decides again)", true);
        }
    }
}
