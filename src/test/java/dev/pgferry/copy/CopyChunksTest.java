package dev.pgferry.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.copy.CopyChunks.Chunk;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copy's order and ranges. */
class CopyChunksTest {

    private static final long MB = 1024 * 1024;

    private static TableToCopy table(String name, long bytes, long indexBytes, boolean costly) {
        return new TableToCopy(name.hashCode(), "public", name, bytes, bytes / 8192, indexBytes, costly,
                List.of("id"), true);
    }

    @Test
    void tablesWithTheCostliestIndexesComeFirstAndLargeOnesAreSplitIntoPageRanges() {
        List<TableToCopy> tables = List.of(table("accounts", 640 * MB, 100 * MB, false),
                table("docs", 100 * MB, 60 * MB, true), table("small", 1 * MB, 0, false));
        // three workers, one held by docs' GIN build for most of the copy: two streams
        assertThat(CopyChunks.copyStreams(tables, 3)).isEqualTo(2);
        List<Chunk> chunks = CopyChunks.of(tables, 3);
        // 741 MB over 2 streams x 4: chunks of about 92 MB
        assertThat(CopyChunks.chunkBytes(tables, 2)).isBetween(92 * MB, 93 * MB);
        assertThat(chunks.getFirst().table().name()).as("GIN at 60 MB outweighs a btree at 100 MB")
                .isEqualTo("docs");
        assertThat(chunks.stream().filter(c -> c.table().name().equals("docs"))).hasSize(2);
        List<Chunk> accounts = chunks.stream().filter(c -> c.table().name().equals("accounts")).toList();
        assertThat(accounts).hasSize(7);
        assertThat(accounts.getFirst().where()).isEqualTo(" WHERE ctid >= '(0,0)'::tid AND ctid < '(11703,0)'::tid");
        assertThat(accounts.get(1).fromPage()).isEqualTo(accounts.getFirst().toPage());
        assertThat(accounts.getLast().where()).as("the last range is open-ended")
                .isEqualTo(" WHERE ctid >= '(70218,0)'::tid");
        assertThat(chunks.getLast().table().name()).isEqualTo("small");
        assertThat(chunks.getLast().whole()).isTrue();
        assertThat(chunks.getLast().where()).isEmpty();
    }

    @Test
    void withOneStreamLeftEveryTableIsCopiedWholeForCopyFreeze() {
        List<TableToCopy> tables = List.of(table("accounts", 640 * MB, 100 * MB, false),
                table("docs", 100 * MB, 60 * MB, true), table("small", 1 * MB, 0, false));
        assertThat(CopyChunks.copyStreams(tables, 2)).as("two workers, one of them building docs' GIN").isOne();
        assertThat(CopyChunks.of(tables, 2)).extracting(c -> c.table().name() + (c.whole() ? "" : " range"))
                .as("docs first (its GIN build ends last), every table whole")
                .containsExactly("docs", "accounts", "small");
        assertThat(CopyChunks.of(tables, 1)).allMatch(Chunk::whole);
        // a small GIN index builds in less than a chunk's copy: both workers copy, in ranges
        List<TableToCopy> quickBuild = List.of(table("accounts", 640 * MB, 100 * MB, false),
                table("tags", 10 * MB, 2 * MB, true));
        assertThat(CopyChunks.copyStreams(quickBuild, 2)).isEqualTo(2);
        assertThat(CopyChunks.of(quickBuild, 2)).filteredOn(c -> c.table().name().equals("accounts")).hasSizeGreaterThan(1);
        // many costly builds never leave no stream
        assertThat(CopyChunks.copyStreams(List.of(table("a", 100 * MB, 90 * MB, true), table("b", 100 * MB, 90 * MB,
                true), table("c", 100 * MB, 90 * MB, true)), 2)).isOne();
    }

    @Test
    void chunksStayBetweenTheirBoundsAndAnEmptyTableIsOneChunk() {
        assertThat(CopyChunks.chunkBytes(List.of(table("tiny", 10, 0, false)), 4))
                .isEqualTo(CopyChunks.MIN_CHUNK_BYTES);
        assertThat(CopyChunks.chunkBytes(List.of(table("huge", 1024L * 1024 * MB, 0, false)), 1))
                .isEqualTo(CopyChunks.MAX_CHUNK_BYTES);
        assertThat(CopyChunks.of(List.of(table("empty", 0, 0, false)), 4)).singleElement()
                .extracting(Chunk::whole).isEqualTo(true);
    }
}
