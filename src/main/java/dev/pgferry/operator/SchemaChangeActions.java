package dev.pgferry.operator;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mapping.SchemaChangePolicy;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.pg.ActionException;
import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.MappingTurns;
import dev.pgferry.reconcile.ReconcileLoop;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.schemachange.SchemaChange;
import dev.pgferry.schemachange.SchemaChangeApplier;
import dev.pgferry.schemachange.SchemaChanges;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * An operator confirms a schema change that waits for it (a dropped column, a type PostgreSQL
 * casts, every change under SCHEMA_CHANGES=confirm-all). Carried out between two ticks of the
 * mapping, by the holder of its lease, after comparing the schemas again: a change that is gone
 * or became another since the page was drawn is refused, never applied blind.
 */
@Service
public class SchemaChangeActions {

    private final PgferryConfig config;
    private final StatusBoard board;
    private final MappingTurns turns;
    private final SchemaChanges changes;
    private final SchemaChangeApplier applier;
    private final ReconcileLoop loop;

    public SchemaChangeActions(PgferryConfig config, StatusBoard board, MappingTurns turns, SchemaChanges changes,
            SchemaChangeApplier applier, ReconcileLoop loop) {
        this.config = config;
        this.board = board;
        this.turns = turns;
        this.changes = changes;
        this.applier = applier;
        this.loop = loop;
    }

    /** Applies change {@code id} of the database; returns the mapping's status after a tick. */
    public MappingStatus confirm(String mappingName, String database, String id, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        return turns.betweenTicks(mapping, () -> confirmBetweenTicks(mapping, database, id, actor));
    }

    private MappingStatus confirmBetweenTicks(Mapping mapping, String database, String id, String actor)
            throws ActionRefused {
        MappingStatus status = board.get(mapping.name()).orElseThrow();
        OperatorActions.requireRun(status);
        DatabaseStatus db = status.database(database).orElseThrow(() -> new ActionRefused("mapping " + mapping.name()
                + " has no database " + database + "; see the mapping's page for its databases"));
        SchemaChangePolicy policy = mapping.schemaChanges().policy();
        String variable = "PGFERRY_MAPPINGS_" + mapping.name().toUpperCase(java.util.Locale.ROOT) + "_SCHEMA_CHANGES";
        if (!SchemaChanges.carriedOver(mapping)) {
            throw new ActionRefused("mapping " + mapping.name() + " copies part of the schema or rows only: pgferry "
                    + "carries no schema change over for it; apply the DDL on the destination by hand");
        }
        if (policy == SchemaChangePolicy.DETECT_ONLY) {
            throw new ActionRefused(variable + "=detect-only: pgferry applies no schema change of this mapping; run "
                    + "the SQL the database's page shows on the destination by hand, or set " + variable
                    + " to confirm-all or apply-safe");
        }
        if (db.observed().subscription().isEmpty()) {
            throw new ActionRefused("database " + database + " is " + db.phase() + ": schema changes are carried over "
                    + "while it streams");
        }
        SchemaChange change = changes.report(mapping.name(), database).changes().stream()
                .filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new ActionRefused("database "
                        + database + " has no schema change " + id + " waiting (it was applied, or the schema changed "
                        + "again and the change has another id now): the database's page lists the current ones"));
        if (change.level() == SchemaChange.Level.MANUAL) {
            throw new ActionRefused(change.what() + " " + change.object() + " is manual: " + change.why());
        }
        try {
            List<SchemaChange> applied = applier.apply(mapping, database, List.of(id), List.of(), false, actor);
            if (applied.isEmpty()) {
                throw new ActionRefused(change.what() + " " + change.object() + " was not applied: comparing again "
                        + "found it gone or changed; the database's page lists the current changes");
            }
        } catch (ActionException e) {
            throw new ActionRefused(e.getMessage());
        }
        return loop.tickNow(mapping);
    }
}
