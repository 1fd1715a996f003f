package dev.pgferry.web;

import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.status.StatusBoard;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * The overview: alerts, then every mapping with its phase, databases by phase, lag and
 * readiness, from {@link MappingSummary} rows (no per-database views). Each row and the alert list poll on their own (htmx); a finished mapping's row
 * stops polling, and so does the alert list once every mapping is finished.
 */
@Controller
class DashboardController {

    private final StatusBoard board;
    private final MappingTrends trends;

    DashboardController(StatusBoard board, MappingTrends trends) {
        this.board = board;
        this.trends = trends;
    }

    private MappingSummary summary(dev.pgferry.status.MappingStatus status) {
        return MappingViewAssembler.summary(status, trends.trend(status.mapping().name()));
    }

    @GetMapping("/")
    String dashboard(Model model) {
        // the finished ones below the active ones, each group in the board's order
        List<MappingSummary> mappings = board.all().stream().map(this::summary)
                .sorted(java.util.Comparator.comparing(MappingSummary::finished)).toList();
        model.addAttribute("mappings", mappings);
        alerts(model, mappings);
        return "dashboard";
    }

    /** The whole overview without the page around it (e.g. for hx-boost navigation). */
    @HxRequest
    @GetMapping("/")
    String overview(Model model) {
        dashboard(model);
        return "dashboard :: overview";
    }

    @HxRequest
    @GetMapping("/overview/alerts")
    String alertsPanel(Model model, HttpServletResponse response) {
        List<MappingSummary> mappings = board.all().stream().map(this::summary).toList();
        alerts(model, mappings);
        if (Boolean.TRUE.equals(model.getAttribute("allFinished"))) {
            response.setStatus(MappingPageController.HTMX_STOP_POLLING);
        }
        return "dashboard :: alerts";
    }

    @HxRequest
    @GetMapping("/overview/mappings/{name}")
    String row(@PathVariable String name, Model model, HttpServletResponse response) {
        MappingSummary mapping = board.get(name).map(this::summary)
                .orElseThrow(() -> new UnknownMapping(name));
        model.addAttribute("m", mapping);
        if (mapping.finished()) {
            response.setStatus(MappingPageController.HTMX_STOP_POLLING);
        }
        return "dashboard :: row";
    }

    /** The fragments' addresses opened as pages lead to the page they belong to. */
    @GetMapping({"/overview/alerts", "/overview/mappings/{name}"})
    String fragmentAsPage() {
        return "redirect:/";
    }

    private static void alerts(Model model, List<MappingSummary> mappings) {
        model.addAttribute("alerts", mappings.stream().flatMap(m -> m.alerts().stream()).toList());
        model.addAttribute("allFinished", mappings.stream().allMatch(MappingSummary::finished));
    }
}
