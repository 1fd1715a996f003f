package dev.pgferry.testing;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an SQL script with the host's psql (scripts with COPY ... FROM stdin need it). */
public final class Psql {

    private Psql() {
    }

    public static void runFile(EmbeddedPostgres server, String database, Path script) {
        ProcessBuilder builder = new ProcessBuilder(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", server.host(), "-p", Integer.toString(server.port()), "-U", server.superuser(),
                "-d", database, "-f", script.toString())).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", server.password());
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("psql -f " + script + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
