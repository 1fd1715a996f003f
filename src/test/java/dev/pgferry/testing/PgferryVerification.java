package dev.pgferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.springframework.web.client.RestClient;

/** pgferry's own verification of a mapping, run through its API as an operator runs it. */
public final class PgferryVerification {

    private PgferryVerification() {
    }

    /**
     * Queues "verify" (row counts and checksums of every replicated table in key ranges, on both
     * sides) and waits for its report: every table verified, equal counts, no differing range.
     * Meant for a source no longer written to (frozen, or its writer stopped) and drained.
     */
    public static JsonNode everyTableEqual(RestClient api, String mapping) {
        api.post().uri("/api/mappings/{m}/verify", mapping).retrieve().toBodilessEntity();
        JsonNode[] report = new JsonNode[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            report[0] = api.get().uri("/api/mappings/{m}", mapping).retrieve().body(JsonNode.class)
                    .at("/databases/0/verification");
            assertThat(report[0].at("/finishedAt").isNull()).as(report[0].toPrettyString()).isFalse();
        });
        JsonNode verified = report[0];
        assertThat(verified.at("/error").isNull()).as(verified.toPrettyString()).isTrue();
        assertThat(verified.get("tables")).as(verified.toPrettyString()).isNotEmpty();
        for (JsonNode table : verified.get("tables")) {
            assertThat(table.get("firstDifference").isNull()).as(table.toPrettyString()).isTrue();
            assertThat(table.get("destinationRows").asLong()).as(table.toPrettyString())
                    .isEqualTo(table.get("sourceRows").asLong());
        }
        return verified;
    }
}
