package dev.pgferry.web;

import dev.pgferry.status.StatusBoard;
import dev.pgferry.web.MappingView.AlertView;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Every alert of every mapping, as the overview lists them (HTTP Basic, viewer). */
@RestController
class AlertApiController {

    private final StatusBoard board;

    AlertApiController(StatusBoard board) {
        this.board = board;
    }

    @GetMapping("/api/alerts")
    List<AlertView> alerts() {
        return board.all().stream().map(s -> MappingViewAssembler.summary(s, MappingTrends.Trend.NONE))
                .flatMap(m -> m.alerts().stream()).toList();
    }
}
