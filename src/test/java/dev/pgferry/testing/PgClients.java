package dev.pgferry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL client programs (pg_dump, pg_restore) the tests give pgferry: by default the 18
 * client, what the image ships and what a 16 or 17 source needs; Debian 12's own 15 client for
 * the one test of what a laptop has.
 *
 * <p>The 18 client is Debian's package from the newer suite, unpacked by {@code .ci/pg-client-18}
 * into a cache folder (system property {@value #CACHE_PROPERTY}, set by the build) and run through
 * its own loader. A missing client is fetched once per test JVM; when it cannot be, the tests fail
 * with the reason instead of silently testing with another client.
 */
public final class PgClients {

    static final String CACHE_PROPERTY = "pgferry.test.pg-client-18";
    private static String eighteen;

    private PgClients() {
    }

    /** The folder holding pg_dump and pg_restore 18. */
    public static synchronized String eighteen() {
        if (eighteen == null) {
            eighteen = fetchEighteen();
        }
        return eighteen;
    }

    /** Debian 12's own client folder (15): what {@code apt-get install postgresql-client} gives a laptop. */
    public static String host() {
        Path bin = Path.of("/usr/lib/postgresql/15/bin");
        if (!Files.isExecutable(bin.resolve("pg_dump"))) {
            throw new IllegalStateException("Debian 12's PostgreSQL client 15 is not at " + bin
                    + ": apt-get install postgresql-client (.ci/run does)");
        }
        return bin.toString();
    }

    private static String fetchEighteen() {
        String cache = System.getProperty(CACHE_PROPERTY,
                Path.of(System.getProperty("user.home"), ".cache", "pgferry", "pg-client-18").toString());
        Path script = Path.of(".ci", "pg-client-18").toAbsolutePath();
        try {
            Path log = Files.createTempFile("pg-client-18-", ".log");
            Process process = new ProcessBuilder("bash", script.toString(), cache).redirectErrorStream(false)
                    .redirectError(log.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(missing(cache, tail(log)));
            }
            List<String> lines = out.lines().toList();
            String folder = lines.isEmpty() ? "" : lines.getLast();
            if (!Files.isExecutable(Path.of(folder, "pg_dump")) || !Files.isExecutable(Path.of(folder, "pg_restore"))) {
                throw new IllegalStateException(missing(cache, "no pg_dump and pg_restore in '" + folder + "'"));
            }
            return folder;
        } catch (IOException e) {
            throw new IllegalStateException(missing(cache, e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching PostgreSQL client 18", e);
        }
    }

    private static String missing(String cache, String why) {
        return "the tests need PostgreSQL's client 18 (pg_dump, pg_restore: what the image ships) and "
                + ".ci/pg-client-18 could not put it in " + cache + ": " + why
                + ". Run 'bash .ci/pg-client-18' with access to a Debian mirror (PGFERRY_DEBIAN_MIRROR), or point -D"
                + CACHE_PROPERTY + " at a folder whose bin/ holds pg_dump and pg_restore 18.";
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
