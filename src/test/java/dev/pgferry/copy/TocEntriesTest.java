package dev.pgferry.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which post-data entries are built with their table, and which wait for the rest. */
class TocEntriesTest {

    @Test
    void indexesAndKeysGoWithTheirTableAndEverythingElseWaits() {
        List<String> lines = List.of(
                ";",
                "; Selected TOC Entries:",
                "3401; 2606 16420 CONSTRAINT public Order Items Order Items_pkey postgres",
                "3402; 1259 16430 INDEX public orders_customer_idx postgres",
                "3403; 1259 16440 INDEX public events_when_idx postgres",
                "3404; 1259 16441 INDEX public events_2025_when_idx postgres",
                "3405; 0 0 INDEX ATTACH public events_2025_when_idx postgres",
                "3406; 2606 16450 FK CONSTRAINT public orders orders_customer_fkey postgres",
                "3407; 2620 16460 TRIGGER public orders audit postgres",
                "3408; 0 0 COMMENT public INDEX orders_customer_idx postgres");
        TocEntries.Split split = TocEntries.split(lines, Map.of(16430L, 2L, 16440L, 3L, 16441L, 4L),
                Map.of(16420L, 1L, 16450L, 2L), Set.of(1L, 2L, 4L));
        assertThat(split.perTable()).containsOnlyKeys(1L, 2L, 4L);
        assertThat(split.perTable().get(1L)).containsExactly(lines.get(2));
        assertThat(split.perTable().get(2L)).containsExactly(lines.get(3));
        assertThat(split.perTable().get(4L)).containsExactly(lines.get(5));
        assertThat(split.rest()).as("the partitioned parent's index, attachments, foreign keys, triggers, comments")
                .containsExactly(lines.get(4), lines.get(6), lines.get(7), lines.get(8), lines.get(9));
    }
}
