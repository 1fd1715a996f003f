package dev.pgferry.reconcile;

import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.cutover.CompletionMarker;
import dev.pgferry.cutover.CompletionMarker.CompletionException;
import dev.pgferry.pg.PgErrors;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Operator actions on a mapping, checked against its last observed status, then carried out by the loop. */
@Service
public class OperatorActions {

    private final PgferryConfig config;
    private final StatusBoard board;
    private final CompletionMarker completion;
    private final ReconcileLoop loop;
    private final ControlRecords records;

    public OperatorActions(PgferryConfig config, StatusBoard board, CompletionMarker completion, ReconcileLoop loop,
            ControlRecords records) {
        this.config = config;
        this.board = board;
        this.completion = completion;
        this.loop = loop;
        this.records = records;
    }

    /**
     * Marks every database of the mapping complete and removes its replication objects. Refused
     * unless the mapping is cutover-ready, unless forced.
     */
    public MappingStatus complete(String mappingName, String actor, boolean force) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (status.effectiveMode() != Mode.RUN) {
            throw new ActionRefused("mapping " + mappingName + " is in mode plan and has created nothing to "
                    + "complete: start it first");
        }
        if (status.databases().isEmpty()) {
            throw new ActionRefused("mapping " + mappingName + " has not been observed yet; try again in a moment");
        }
        if (!force && !status.cutoverReady() && status.phase() != Phase.COMPLETE) {
            Optional<DatabaseStatus> blocking = status.databases().stream().filter(d -> !d.cutoverReady()
                    && d.phase() != Phase.COMPLETE).findFirst();
            throw new ActionRefused("mapping " + mappingName + " is not cutover-ready"
                    + blocking.map(d -> ": " + d.database() + " is " + d.phase() + " (" + d.plan().reason() + ")")
                            .orElse("") + ". Wait for the green light, or force it with a second confirmation.");
        }
        List<String> databases = status.databases().stream().map(DatabaseStatus::database).toList();
        try {
            completion.markComplete(mapping, databases, actor, force);
        } catch (CompletionException e) {
            throw new ActionRefused(e.getMessage());
        }
        return loop.tickNow(mapping);
    }

    /**
     * Starts a mapping configured in plan mode: from now on (and after restarts, by a marker on
     * the destination) it acts as in run mode. Blocked databases stay blocked until fixed.
     */
    public MappingStatus start(String mappingName, String actor) throws ActionRefused {
        Mapping mapping = config.mapping(mappingName).orElseThrow(() -> new UnknownMapping(mappingName));
        MappingStatus status = board.get(mappingName).orElseThrow();
        if (status.effectiveMode() == Mode.RUN) {
            throw new ActionRefused("mapping " + mappingName + " already runs");
        }
        try {
            records.requestStart(mapping.destination(), mapping.name(), actor);
            records.audit(mapping.destination(), actor, "start", mapping.name(), null,
                    "started from plan mode; databases: " + status.databases().stream()
                            .map(d -> d.database() + " " + d.phase()).toList());
        } catch (SQLException e) {
            throw new ActionRefused("could not record the start on destination " + mapping.destination().name()
                    + ": " + PgErrors.describe(e));
        }
        return loop.tickNow(mapping);
    }

    /** The action could not be taken; the message says why and what to do. */
    public static class ActionRefused extends Exception {
        public ActionRefused(String message) {
            super(message);
        }
    }

    /** No mapping of that name is configured. */
    public static class UnknownMapping extends RuntimeException {
        public UnknownMapping(String name) {
            super("no mapping named " + name);
        }
    }
}
