package dev.pgferry.web;

import dev.pgferry.operator.OperatorActions;
import dev.pgferry.operator.SchemaChangeActions;
import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.schema.FidelityReport;
import java.security.Principal;
import dev.pgferry.web.MappingView.DatabaseView;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The JSON API: the same facts as the pages, for automation (HTTP Basic). */
@RestController
@RequestMapping("/api/mappings")
class MappingApiController {

    private final StatusBoard board;
    private final OperatorActions actions;
    private final StatusViews views;
    private final SchemaChangeActions schemaChanges;

    MappingApiController(StatusBoard board, OperatorActions actions, StatusViews views,
            SchemaChangeActions schemaChanges) {
        this.schemaChanges = schemaChanges;
        this.board = board;
        this.actions = actions;
        this.views = views;
    }

    @GetMapping
    List<MappingView> mappings() {
        return board.all().stream().map(views::of).toList();
    }

    @GetMapping("/{name}")
    MappingView mapping(@PathVariable String name) {
        return board.get(name).map(views::of).orElseThrow(() -> new UnknownMapping(name));
    }

    /**
     * What each server needs before the start, ticked where it already holds (from the last
     * tick's facts; docs/operations.md, "Preparing the servers").
     */
    @GetMapping("/{name}/preparation")
    dev.pgferry.preparation.Preparation preparation(@PathVariable String name) {
        return board.get(name).map(dev.pgferry.preparation.PreparationChecklist::of)
                .orElseThrow(() -> new UnknownMapping(name));
    }

    /** One database of the mapping, with its schemas, tables and exact counts (?name=the database). */
    @GetMapping("/{name}/database")
    DatabaseView database(@PathVariable String name, @RequestParam("name") String database) {
        MappingStatus status = board.get(name).orElseThrow(() -> new UnknownMapping(name));
        return views.of(status.withOnly(database)).databases().stream().findFirst()
                .orElseThrow(() -> new UnknownDatabase(name, database));
    }

    /**
     * Queues exact row counts of one database (count(*) per table on both sides, one at a time);
     * 202 with the database, whose exactCount shows the progress; 409 while one runs.
     */
    @PostMapping("/{name}/database/count")
    ResponseEntity<DatabaseView> count(@PathVariable String name, @RequestParam("name") String database,
            Principal user) throws ActionRefused {
        actions.countRows(name, database, user.getName());
        return ResponseEntity.accepted().body(database(name, database));
    }

    /**
     * Starts one FAILED database over (its slot lost its WAL, or the slot or publication is
     * gone): drops its subscription, empties the tables it wrote, copies again. 409 otherwise.
     */
    @PostMapping("/{name}/database/start-over")
    DatabaseView startOver(@PathVariable String name, @RequestParam("name") String database, Principal user)
            throws ActionRefused {
        actions.startOver(name, database, user.getName());
        return database(name, database);
    }

    /**
     * Compares the schema of every database of the mapping on both sides, object by object,
     * now (read-only on both servers); the reports also show in the mapping afterwards.
     */
    @PostMapping("/{name}/fidelity")
    List<FidelityReport> fidelity(@PathVariable String name, Principal user) throws ActionRefused {
        return actions.checkFidelity(name, user.getName());
    }

    /**
     * Applies a schema change that waits for confirmation (?name=the database&id=the change, as
     * the database lists them); 409 with the reason when it is manual, gone or changed since.
     */
    @PostMapping("/{name}/schema-changes/apply")
    DatabaseView applySchemaChange(@PathVariable String name, @RequestParam("name") String database,
            @RequestParam String id, Principal user) throws ActionRefused {
        schemaChanges.confirm(name, database, id, user.getName());
        return database(name, database);
    }

    /** Starts a mapping configured in plan mode; 409 when it already runs. */
    @PostMapping("/{name}/start")
    MappingView start(@PathVariable String name, Principal user) throws ActionRefused {
        return views.of(actions.start(name, user.getName()));
    }

    /** Marks the mapping complete; 409 with the reason when it is not cutover-ready (unless force=true). */
    @PostMapping("/{name}/complete")
    MappingView complete(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force,
            Principal user) throws ActionRefused {
        return views.of(actions.complete(name, user.getName(), force));
    }
}
