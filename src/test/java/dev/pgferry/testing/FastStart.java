package dev.pgferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the crash tests start their many pgferry processes quickly: the packaged jar extracted
 * (Spring Boot's {@code -Djarmode=tools extract}: plain jars on a class path load faster than
 * nested ones) with an ahead-of-time cache of its loaded and linked classes (JDK 25,
 * {@code -XX:AOTCacheOutput}) made by one training start per test JVM that exits once the
 * context is refreshed. About 10 s to start on this machine's two cores become about 5; over
 * the suite's ~45 starts that is minutes of CI. The same jar and code run: only class loading
 * differs. Without a JDK that makes the cache, the extracted jar runs without one; the test of
 * the image's own command ({@link PgferryProcess#asTheImageRunsIt}) never uses this.
 */
final class FastStart {

    /** The JVM options every test process runs with (the cache needs the training's to match). */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");

    private static List<String> launch;

    private FastStart() {
    }

    /** The arguments after the JVM options: the cache, if made, and the extracted jar. */
    static synchronized List<String> launch(Path jar) throws IOException {
        if (launch != null) {
            return launch;
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path root = Path.of("target", "fast-start").toAbsolutePath();
        Path extracted = root.resolve("app");
        Path cache = root.resolve("pgferry.aot");
        Files.createDirectories(root);
        Files.deleteIfExists(cache);
        if (run(root.resolve("extract.log"), Map.of(), java.toString(), "-Djarmode=tools", "-jar",
                jar.toAbsolutePath().toString(), "extract", "--force", "--destination", extracted.toString()) != 0) {
            return launch = List.of("-jar", jar.toString());
        }
        Path app = extracted.resolve(jar.getFileName());
        List<String> training = new ArrayList<>(List.of(java.toString()));
        training.addAll(JVM_OPTIONS);
        training.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-Dspring.context.exit=onRefresh", "-jar",
                app.toString()));
        // a valid configuration the context refreshes with; nothing is reached (it exits before its first tick)
        Map<String, String> env = Map.ofEntries(Map.entry("PGFERRY_USERS_OPS_PASSWORD", "training-only-pw"),
                Map.entry("PGFERRY_USERS_OPS_ROLE", "operator"), Map.entry("SERVER_ADDRESS", "127.0.0.1"),
                Map.entry("SERVER_PORT", "0"), Map.entry("PGFERRY_INSTANCES_SRC_HOST", "127.0.0.1"),
                Map.entry("PGFERRY_INSTANCES_SRC_PORT", "1"), Map.entry("PGFERRY_INSTANCES_SRC_USER", "u"),
                Map.entry("PGFERRY_INSTANCES_SRC_PASSWORD", "p"), Map.entry("PGFERRY_INSTANCES_DST_HOST", "127.0.0.1"),
                Map.entry("PGFERRY_INSTANCES_DST_PORT", "2"), Map.entry("PGFERRY_INSTANCES_DST_USER", "u"),
                Map.entry("PGFERRY_INSTANCES_DST_PASSWORD", "p"), Map.entry("PGFERRY_MAPPINGS_M_SOURCE", "src"),
                Map.entry("PGFERRY_MAPPINGS_M_DESTINATION", "dst"), Map.entry("PGFERRY_MAPPINGS_M_DATABASES", "db"));
        run(root.resolve("training.log"), env, training.toArray(String[]::new));
        launch = Files.isRegularFile(cache) ? List.of("-XX:AOTCache=" + cache, "-jar", app.toString())
                : List.of("-jar", app.toString());
        return launch;
    }

    private static int run(Path log, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }
}
