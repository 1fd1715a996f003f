package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Times read at a glance: how long ago, to the unit that matters; the exact time to the second, in UTC. */
class FormatsTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00.123456789Z");
    private final Formats formats = new Formats(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void agesAreRelativeToTheUnitThatMatters() {
        assertThat(formats.ago(NOW.minusMillis(300))).isEqualTo("just now");
        assertThat(formats.ago(NOW.plusSeconds(2))).as("a clock a little ahead").isEqualTo("just now");
        assertThat(formats.ago(NOW.minusSeconds(12))).isEqualTo("12 s ago");
        assertThat(formats.ago(NOW.minusSeconds(5 * 60 + 40))).isEqualTo("5 min ago");
        assertThat(formats.ago(NOW.minusSeconds(2 * 3600 + 5 * 60))).isEqualTo("2 h 5 min ago");
        assertThat(formats.ago(NOW.minusSeconds(3 * 3600))).isEqualTo("3 h ago");
        assertThat(formats.ago(NOW.minusSeconds(3 * 86_400 + 4 * 3600 + 59))).isEqualTo("3 d 4 h ago");
        assertThat(formats.ago(null)).isEqualTo("—");
    }

    @Test
    void theExactTimeIsToTheSecondInUtc() {
        assertThat(formats.utc(NOW)).isEqualTo("2026-12-02 10:00:00 UTC");
        assertThat(formats.iso(NOW)).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(formats.duration(2L * 3600 + 5 * 60)).isEqualTo("2 h 5 min");
    }
}
