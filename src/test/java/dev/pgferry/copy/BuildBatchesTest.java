package dev.pgferry.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuildBatchesTest {

    private static TableToCopy table(long oid, long indexBytes, boolean costly) {
        return new TableToCopy(oid, "public", "t" + oid, 1_000_000, 100, indexBytes, costly, List.of("id"), true);
    }

    @Test
    void largeAndCostlyIndexesAreBuiltAloneAtOnceSmallOnesTogether() {
        BuildBatches batches = new BuildBatches();
        assertThat(batches.copied(table(1, 100_000_000, false), false)).extracting(TableToCopy::oid).containsExactly(1L);
        assertThat(batches.copied(table(2, 16_384, true), false)).as("GIN, however small").extracting(TableToCopy::oid)
                .containsExactly(2L);
        assertThat(batches.copied(table(3, 16_384, false), false)).isEmpty();
        assertThat(batches.copied(table(4, 0, false), false)).isEmpty();
        assertThat(batches.copied(table(5, 8_192, false), true)).as("no chunk left: the rest goes")
                .extracting(TableToCopy::oid).containsExactly(3L, 4L, 5L);
        assertThat(batches.rest()).isEmpty();
    }

    @Test
    void aFullBatchGoesAtOnce() {
        BuildBatches batches = new BuildBatches();
        for (int i = 1; i < BuildBatches.MAX_TABLES; i++) {
            assertThat(batches.copied(table(i, 16_384, false), false)).isEmpty();
        }
        assertThat(batches.copied(table(1000, 16_384, false), false)).hasSize(BuildBatches.MAX_TABLES);
        assertThat(batches.copied(table(1001, 16_384, false), false)).isEmpty();
        assertThat(batches.rest()).extracting(TableToCopy::oid).containsExactly(1001L);
    }
}
