package dev.pgferry.web;

import dev.pgferry.preparation.Preparation;
import dev.pgferry.preparation.PreparationChecklist;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.status.StatusBoard;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * A mapping's preparation checklist (docs/operations.md, "Preparing the servers") as a page; the
 * API's is {@code GET /api/mappings/{name}/preparation}. Both from the last tick's facts: nothing
 * is read from the servers in the request.
 */
@Controller
class PreparationController {

    private final StatusBoard board;

    PreparationController(StatusBoard board) {
        this.board = board;
    }

    private Preparation preparation(String name) {
        return board.get(name).map(PreparationChecklist::of).orElseThrow(() -> new UnknownMapping(name));
    }

    @GetMapping("/mappings/{name}/preparation")
    String page(@PathVariable String name, Model model) {
        model.addAttribute("preparation", preparation(name));
        model.addAttribute("observedAt", board.get(name).map(s -> s.observedAt()).orElse(null));
        return "preparation";
    }
}
