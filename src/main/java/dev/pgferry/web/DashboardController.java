package dev.pgferry.web;

import dev.pgferry.reconcile.Phase;
import dev.pgferry.reconcile.StatusBoard;
import jakarta.servlet.http.HttpServletResponse;
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

    /** The polled panel: the same fragment the full page includes; polling stops once every mapping is complete. */
    @HxRequest
    @GetMapping("/")
    String mappingsPanel(Model model, HttpServletResponse response) {
        dashboard(model);
        boolean allComplete = board.all().stream().allMatch(s -> s.phase() == Phase.COMPLETE
                && s.databases().stream().allMatch(d -> d.plan().actions().isEmpty()));
        if (allComplete) {
            response.setStatus(MappingPageController.HTMX_STOP_POLLING);
        }
        return "dashboard :: mappings";
    }
}
