package dev.pgferry.web;

import dev.pgferry.operator.OperatorActions;
import dev.pgferry.operator.SchemaChangeActions;
import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.web.MappingView.DatabaseView;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * One database of a mapping: its schemas and tables, copy progress, lag chart, conditions,
 * checks and exact counts. The database name travels as a query parameter: names may hold any
 * character, and a path would meet the firewall's rules for encoded slashes and percent signs.
 */
@Controller
class DatabasePageController {

    private final StatusBoard board;
    private final OperatorActions actions;
    private final StatusViews views;
    private final SchemaChangeActions schemaChanges;

    DatabasePageController(StatusBoard board, OperatorActions actions, StatusViews views,
            SchemaChangeActions schemaChanges) {
        this.schemaChanges = schemaChanges;
        this.board = board;
        this.actions = actions;
        this.views = views;
    }

    @GetMapping("/mappings/{mapping}/database")
    String database(@PathVariable String mapping, @RequestParam String name,
            @RequestParam(name = "tables", required = false) String tables, Model model) {
        // only this database's view is built: a mapping may hold hundreds
        MappingView view = board.get(mapping).map(s -> views.of(s.withOnly(name)))
                .orElseThrow(() -> new UnknownMapping(mapping));
        DatabaseView database = view.databases().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new UnknownDatabase(mapping, name));
        model.addAttribute("mapping", view);
        model.addAttribute("d", database);
        model.addAttribute("shown", TablesShown.of(database.tables(), tables));
        // the page's own links carry it on (polls included); only a number or "all"
        model.addAttribute("tablesParam", tables != null && tables.matches("all|[0-9]{1,6}") ? tables : null);
        return "database";
    }

    @HxRequest
    @GetMapping("/mappings/{mapping}/database")
    String databasePanel(@PathVariable String mapping, @RequestParam String name,
            @RequestParam(name = "tables", required = false) String tables, Model model,
            HttpServletResponse response) {
        database(mapping, name, tables, model);
        MappingView view = (MappingView) model.getAttribute("mapping");
        if (view.isFinished()) {
            response.setStatus(MappingPageController.HTMX_STOP_POLLING);
        }
        return "database :: database";
    }

    @PostMapping("/mappings/{mapping}/database/count")
    String count(@PathVariable String mapping, @RequestParam String name, Principal user,
            RedirectAttributes redirect) {
        try {
            actions.countRows(mapping, name, user.getName());
            redirect.addFlashAttribute("notice", "Exact count of " + name + " queued; progress shows below.");
        } catch (ActionRefused e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        // done=count: see MappingPageController.back
        return "redirect:" + UriComponentsBuilder.fromPath("/mappings/{m}/database").queryParam("name", "{n}")
                .queryParam("done", "count").encode().buildAndExpand(mapping, name).toUriString();
    }

    @PostMapping("/mappings/{mapping}/database/start-over")
    String startOver(@PathVariable String mapping, @RequestParam String name, Principal user,
            RedirectAttributes redirect) {
        try {
            actions.startOver(mapping, name, user.getName());
            redirect.addFlashAttribute("notice", "Starting " + name + " over: its subscription is dropped and its "
                    + "tables emptied; the copy starts again below.");
        } catch (ActionRefused e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:" + UriComponentsBuilder.fromPath("/mappings/{m}/database").queryParam("name", "{n}")
                .encode().buildAndExpand(mapping, name).toUriString();
    }

    @PostMapping("/mappings/{mapping}/database/schema-changes/apply")
    String applySchemaChange(@PathVariable String mapping, @RequestParam String name, @RequestParam String id,
            Principal user, RedirectAttributes redirect) {
        try {
            schemaChanges.confirm(mapping, name, id, user.getName());
            redirect.addFlashAttribute("notice", "Schema change " + id + " applied on the destination; it is on the "
                    + "audit log and under Schema changes below.");
        } catch (ActionRefused e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:" + UriComponentsBuilder.fromPath("/mappings/{m}/database").queryParam("name", "{n}")
                .encode().buildAndExpand(mapping, name).toUriString();
    }
}
