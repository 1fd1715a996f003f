package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.CompletionMarker;
import dev.pgferry.pg.ActionException;
import dev.pgferry.reconcile.Action.ConfigureDatabase;
import dev.pgferry.reconcile.Action.CopySchema;
import dev.pgferry.reconcile.Action.CreateDatabase;
import dev.pgferry.reconcile.Action.CreatePublication;
import dev.pgferry.reconcile.Action.CreateRoles;
import dev.pgferry.reconcile.Action.CreateSubscription;
import dev.pgferry.reconcile.Action.DetachSubscription;
import dev.pgferry.reconcile.Action.DropInactiveSlot;
import dev.pgferry.reconcile.Action.DropPublication;
import dev.pgferry.reconcile.Action.DropSubscription;
import dev.pgferry.reconcile.Action.RecordCompletion;
import dev.pgferry.reconcile.Action.ResetInterruptedCopy;
import dev.pgferry.reconcile.Action.StartSnapshotCopy;
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

    ActionRunner(ReplicationObjects replication, DatabaseCreator databases, SchemaCopier schema, RoleCopier roles,
            CompletionMarker completion, SnapshotCopies copies) {
        this.copies = copies;
        this.replication = replication;
        this.databases = databases;
        this.schema = schema;
        this.roles = roles;
        this.completion = completion;
    }

    void run(Mapping mapping, String database, Action action) throws ActionException {
        switch (action) {
            case CreatePublication a ->
                replication.createPublication(mapping.source(), database, a.publication(), a.tables());
            case CreateRoles a -> roles.copy(mapping, database, a.roles(), a.memberships());
            case CreateDatabase a -> databases.create(mapping.destination(), a.database(), a.source());
            case ConfigureDatabase a -> databases.configure(mapping.destination(), a.database(), a.source());
            case CopySchema a -> schema.copy(mapping, a.database(), a.filter());
            case DropInactiveSlot a -> replication.dropInactiveSlot(mapping.source(), database, a.slot());
            case CreateSubscription a ->
                replication.createSubscription(mapping, database, ReplicationNames.of(mapping.name(), database));
            case RecordCompletion a -> completion.markSchemaOnlyDone(mapping, a.database());
            case StartSnapshotCopy a -> copies.start(mapping, a.database(), a.filter());
            case ResetInterruptedCopy a -> databases.dropPartialCopy(mapping.destination(), a.database());
            case DropSubscription a -> replication.dropSubscription(mapping.destination(), database, a.subscription());
            case DetachSubscription a ->
                replication.detachAndDropSubscription(mapping.destination(), database, a.subscription());
            case DropPublication a -> replication.dropPublication(mapping.source(), database, a.publication());
        }
    }
}
