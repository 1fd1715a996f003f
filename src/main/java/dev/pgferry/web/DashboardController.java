package dev.pgferry.web;

import dev.pgferry.reconcile.StatusBoard;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The overview: every mapping, its phase, lag and readiness, refreshed by htmx polling. */
@Controller
class DashboardController {

    private final StatusBoard board;

    DashboardController(StatusBoard board) {
        this.board = board;
    }

    @GetMapping("/")
    String dashboard(Model model) {
        model.addAttribute("mappings", board.all().stream().map(MappingViews::of).toList());
        return "dashboard";
    }

    /** The polled panel: the same fragment the full page includes. */
    @HxRequest
    @GetMapping("/")
    String mappingsPanel(Model model) {
        dashboard(model);
        return "dashboard :: mappings";
    }
}
