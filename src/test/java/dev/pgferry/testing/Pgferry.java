package dev.pgferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.springframework.web.client.RestClient;

/** A running pgferry as the tests drive it: in the test's JVM ({@link PgferryApp}) or a process of its own ({@link PgferryProcess}). */
public interface Pgferry {

    /** The JSON API, logged in as an operator. */
    RestClient api();

    /** {@code GET /api/mappings/{mapping}}. */
    JsonNode mapping(String mapping);

    /** Waits until the mapping shows the phase; returns the mapping as then seen. */
    JsonNode awaitPhase(String mapping, String phase, Duration atMost);
}
