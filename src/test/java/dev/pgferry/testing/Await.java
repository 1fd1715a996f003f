package dev.pgferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.List;

/** The waits the migration tests share. */
public final class Await {

    private Await() {
    }

    /**
     * Waits (at most {@code atMost}) until each table has the same rows on the destination as on
     * the source: count and content digest ({@link Db#fingerprint}). Meant once the source's
     * writer has stopped: the last changes are on their way.
     */
    public static void everyTableEqual(EmbeddedPostgres source, EmbeddedPostgres destination, String database,
            List<String> tables, Duration atMost) {
        await().atMost(atMost).untilAsserted(() -> {
            for (String table : tables) {
                assertThat(Db.fingerprint(destination, database, table)).as(table)
                        .isEqualTo(Db.fingerprint(source, database, table));
            }
        });
    }

    /** {@link #everyTableEqual(EmbeddedPostgres, EmbeddedPostgres, String, List, Duration)} within a minute. */
    public static void everyTableEqual(EmbeddedPostgres source, EmbeddedPostgres destination, String database,
            List<String> tables) {
        everyTableEqual(source, destination, database, tables, Duration.ofMinutes(1));
    }
}
