package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.schema.FidelityReport.Difference;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FidelityReportTest {

    private static final Difference REUSED = new Difference("role", "app_ro", "login false connection limit -1",
            "login false connection limit 3");
    private static final Difference CREATED = new Difference("role", "\"App RW\"", "valid until 2031-01-01", "valid "
            + "until none");
    private static final Difference MISSING = new Difference("role", "analyst", "login true", null);
    private static final Difference TABLE = new Difference("relation r", "public.t", "owner a", "owner b");

    @Test
    void underMergeARoleThatWasThereBeforeIsReusedAndEveryOtherDifferenceIsDrift() {
        FidelityReport report = FidelityReport.of("shop", Instant.EPOCH, 10, 10, List.of(REUSED, CREATED, MISSING,
                TABLE), true, Set.of("\"App RW\""));
        assertThat(report.reusedRoles()).containsExactly(REUSED);
        assertThat(report.differences()).containsExactly(CREATED, MISSING, TABLE);
        assertThat(report.identical()).isFalse();
        assertThat(FidelityReport.of("shop", Instant.EPOCH, 10, 10, List.of(REUSED), true, Set.of()).identical())
                .as("only a reused role differs").isTrue();
    }

    @Test
    void underFailEveryRoleDifferenceIsDrift() {
        FidelityReport report = FidelityReport.of("shop", Instant.EPOCH, 10, 10, List.of(REUSED, CREATED), false,
                Set.of());
        assertThat(report.reusedRoles()).isEmpty();
        assertThat(report.differences()).containsExactly(REUSED, CREATED);
    }
}
