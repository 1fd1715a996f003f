package dev.pgferry.web;

import dev.pgferry.operator.OperatorActions;
import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.status.StatusBoard;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.pgferry.schema.FidelityReport;
import java.security.Principal;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The drill-down of one mapping: databases, tables, checks, readiness, plan and the actions. */
@Controller
class MappingPageController {

    /** htmx stops polling when a response has this status. */
    static final int HTMX_STOP_POLLING = 286;

    private final StatusBoard board;
    private final OperatorActions actions;
    private final StatusViews views;
    private final dev.pgferry.cutover.CutoverChecklists checklists;

    MappingPageController(StatusBoard board, OperatorActions actions, StatusViews views,
            dev.pgferry.cutover.CutoverChecklists checklists) {
        this.board = board;
        this.actions = actions;
        this.views = views;
        this.checklists = checklists;
    }

    @GetMapping("/mappings/{name}")
    String mapping(@PathVariable String name, Model model) {
        MappingView view = board.get(name).map(views::withoutCharts).orElseThrow(() -> new UnknownMapping(name));
        model.addAttribute("mapping", view);
        // a completed mapping tells how it went at the top of its page (the cutover page's summary)
        model.addAttribute("completion", "COMPLETE".equals(view.phase()) || "ROLLED_BACK".equals(view.phase())
                ? checklists.of(name).map(dev.pgferry.cutover.CutoverView::completion).orElse(null) : null);
        return "mapping";
    }

    @HxRequest
    @GetMapping("/mappings/{name}")
    String mappingPanel(@PathVariable String name, Model model, HttpServletResponse response) {
        mapping(name, model);
        MappingView view = (MappingView) model.getAttribute("mapping");
        if ("COMPLETE".equals(view.phase()) && view.databases().stream().allMatch(d -> d.plannedActions().isEmpty())) {
            response.setStatus(HTMX_STOP_POLLING);
        }
        return "mapping :: detail";
    }

    /**
     * Runs the schema fidelity check of every database now; the drill-down shows the reports. The
     * cutover page sends {@code from=cutover} to come back there.
     */
    @PostMapping("/mappings/{name}/fidelity")
    String fidelity(@PathVariable String name, @RequestParam(required = false) String from, Principal user,
            RedirectAttributes redirect) {
        return act(name, "fidelity", redirect, () -> {
            List<String> different = actions.checkFidelity(name, user.getName()).stream()
                    .filter(r -> !r.identical()).map(FidelityReport::database).toList();
            return different.isEmpty() ? Outcome.done("Schema fidelity: every database identical on both sides.")
                    : Outcome.problem("Schema fidelity: " + String.join(", ", different) + " differ(s) or could not "
                            + "be compared; each database's page lists what.");
        }, "cutover".equals(from) ? "/mappings/" + name + "/cutover" : "/mappings/" + name);
    }

    @PostMapping("/mappings/{name}/start")
    String start(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "start", redirect, () -> {
            actions.start(name, user.getName());
            return Outcome.done("Mapping " + name + " started: it now acts as in run mode.");
        });
    }

    /** What an action says on the page afterwards: a notice, or a problem. */
    record Outcome(boolean ok, String message) {

        static Outcome of(boolean ok, String message) {
            return new Outcome(ok, message);
        }

        static Outcome done(String message) {
            return new Outcome(true, message);
        }

        static Outcome problem(String message) {
            return new Outcome(false, message);
        }
    }

    /** An operator action of the page: its outcome, or why it was refused. */
    @FunctionalInterface
    interface PageAction {
        Outcome run() throws ActionRefused;
    }

    /** Runs the action, keeps its message for the page, and goes back to the mapping's page. */
    static String act(String mapping, String action, RedirectAttributes redirect, PageAction work) {
        return act(mapping, action, redirect, work, "/mappings/" + mapping);
    }

    /** Runs the action, keeps its message for the page, and goes back to {@code page}. */
    static String act(String mapping, String action, RedirectAttributes redirect, PageAction work, String page) {
        try {
            Outcome outcome = work.run();
            redirect.addFlashAttribute(outcome.ok() ? "notice" : "problem", outcome.message());
        } catch (ActionRefused e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        return back(page, action);
    }

    /**
     * Back to the page after an action. The query parameter is one the polled fragment never
     * sends: the flash message is delivered to the next request matching the target, and an htmx
     * poll racing the page load would otherwise take it.
     */
    static String back(String page, String action) {
        return "redirect:" + page + "?done=" + action;
    }
}
