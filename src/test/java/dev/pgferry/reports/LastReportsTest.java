package dev.pgferry.reports;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LastReportsTest {

    private final LastReports<String> reports = new LastReports<>();

    @Test
    void namesThatWouldJoinAlikeAreDifferentDatabases() {
        reports.keep("a/b", "c", "first");
        reports.keep("a", "b/c", "second");
        assertThat(reports.last("a/b", "c")).contains("first");
        assertThat(reports.last("a", "b/c")).contains("second");
        assertThat(reports.lastOrNull("a", "c")).isNull();
        assertThat(reports.last("a", "c")).isEmpty();
    }

    @Test
    void anUpdateSeesTheKeptReportAndReplacesIt() {
        assertThat(reports.update("m", "Straße \"x\"", before -> before == null ? "one" : before + "+")).isEqualTo("one");
        assertThat(reports.update("m", "Straße \"x\"", before -> before == null ? "one" : before + "+")).isEqualTo("one+");
        assertThat(reports.last("m", "Straße \"x\"")).contains("one+");
        assertThat(DatabaseKey.of("m", "d")).isEqualTo(new DatabaseKey("m", "d")).hasToString("m/d");
    }
}
