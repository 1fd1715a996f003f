package dev.pgferry.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ObservationQueriesTest {

    @Test
    void theDestinationsCensusReadsNoSizeThatWouldWaitForATablesLock() {
        assertThat(ObservationQueries.RELATIONS).contains("pg_table_size");
        assertThat(ObservationQueries.RELATIONS_WITHOUT_SIZE).doesNotContain("pg_table_size", "relpages")
                .contains("0::bigint AS bytes", "pg_stat_get_live_tuples");
    }
}
