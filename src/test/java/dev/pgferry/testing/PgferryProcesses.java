package dev.pgferry.testing;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The pgferry processes of a test ({@code @RegisterExtension}), each killed after the test
 * whatever happened (a failed assertion included), so no process outlives its test.
 */
public final class PgferryProcesses implements AfterEachCallback {

    private final List<PgferryProcess> started = new ArrayList<>();

    /**
     * A process (not started yet) whose log is named {@code log}, with instances {@code src} and
     * {@code dst} and one mapping between them in run mode over one database.
     */
    public PgferryProcess mapping(String log, String mapping, String database, EmbeddedPostgres source,
            EmbeddedPostgres destination) {
        PgferryProcess process = new PgferryProcess(log);
        started.add(process);
        String prefix = "PGFERRY_MAPPINGS_" + mapping.toUpperCase(Locale.ROOT) + "_";
        return process.instance("src", source).instance("dst", destination).env(prefix + "SOURCE", "src")
                .env(prefix + "DESTINATION", "dst").env(prefix + "DATABASES", database).env(prefix + "MODE", "run");
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (PgferryProcess process : started) {
            process.kill();
        }
        started.clear();
    }
}
