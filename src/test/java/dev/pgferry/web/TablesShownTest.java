package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.web.MappingView.TableView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TablesShownTest {

    private static TableView table(String name, String syncState, Long delta, long bytes) {
        return new TableView("public", name, false, true, syncState, syncState, 10L, 10L, delta, List.of(), bytes,
                null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void everyTableUpToTheLimitInItsOrder() {
        List<TableView> tables = List.of(table("a", "r", 0L, 1), table("b", "r", 5L, 2));
        TablesShown shown = TablesShown.of(tables, null);
        assertThat(shown.tables()).isEqualTo(tables);
        assertThat(shown.hidden()).isZero();
    }

    @Test
    void beyondTheLimitTheBusyThenTheLargestDeltasThenTheLargestInTheirUsualOrder() {
        List<TableView> tables = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            tables.add(table(String.format("t%03d", i), "r", 0L, i));
        }
        tables.set(7, table("t007", "d", null, 1));
        tables.set(150, table("t150", "r", -40L, 1));
        TablesShown shown = TablesShown.of(tables, null);
        assertThat(shown.total()).isEqualTo(300);
        assertThat(shown.tables()).hasSize(TablesShown.DEFAULT_LIMIT);
        assertThat(shown.hidden()).isEqualTo(100);
        assertThat(shown.tables().getFirst().name()).as("in their usual order").isEqualTo("t007");
        assertThat(shown.tables()).extracting(TableView::name).contains("t150", "t299")
                .doesNotContain("t000", "t100");
        assertThat(TablesShown.of(tables, "all").tables()).hasSize(300);
        assertThat(TablesShown.of(tables, "2").tables()).extracting(TableView::name).containsExactly("t007", "t150");
        assertThat(TablesShown.of(tables, "nonsense").tables()).hasSize(TablesShown.DEFAULT_LIMIT);
    }
}
