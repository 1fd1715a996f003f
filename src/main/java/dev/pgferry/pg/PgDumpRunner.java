package dev.pgferry.pg;

import dev.pgferry.config.Instance;
import dev.pgferry.config.PgferryConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Runs pg_dump and pg_restore from the host. The password goes through PGPASSWORD, never the
 * command line, so no process list or log line shows it. What the tools print on a failure is
 * redacted ({@link ToolOutput}) before it becomes a message, and a restore runs with the
 * destination's statement logging off where pgferry's user may turn it off: a schema's statements
 * can carry secrets (a user mapping's password), and a failing statement is logged in full.
 */
@Component
public class PgDumpRunner {

    private static final long TIMEOUT_MINUTES = 60;

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    private final PgToolLocator tools;
    private final PgConnector connector;
    private volatile OptionalInt pgDumpMajor;

    public PgDumpRunner(PgferryConfig config, PgConnector connector) {
        this.tools = new PgToolLocator(config.pgBinDir());
        this.connector = connector;
    }

    /** The major version of the pg_dump pgferry would run, or empty when there is none; asked once. */
    public OptionalInt pgDumpMajor() {
        OptionalInt known = pgDumpMajor;
        if (known == null) {
            known = askVersion();
            pgDumpMajor = known;
        }
        return known;
    }

    private OptionalInt askVersion() {
        try {
            Process process = new ProcessBuilder(tools.find("pg_dump").toString(), "--version")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return OptionalInt.empty();
            }
            Matcher matcher = VERSION.matcher(output);
            return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
        } catch (IOException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Writes the schema of one source database to a custom-format archive. */
    public void dumpSchema(Instance source, String database, List<String> filter, Path archive)
            throws PgToolException {
        dumpSchema(source, database, filter, archive, null);
    }

    /**
     * The same, as of an exported snapshot (the snapshot copy's), when {@code snapshot} is not
     * null: the schema matches the data copied from that snapshot exactly.
     */
    public void dumpSchema(Instance source, String database, List<String> filter, Path archive, String snapshot)
            throws PgToolException {
        List<String> command = new ArrayList<>(List.of(tools.find("pg_dump").toString(), "--schema-only",
                "--no-publications", "--no-subscriptions", "--format=custom", "--file=" + archive,
                // another mapping's DDL capture on this source database is never copied
                "--exclude-schema=" + CaptureObjects.DUMP_PATTERN));
        if (snapshot != null) {
            command.add("--snapshot=" + snapshot);
        }
        command.addAll(filter);
        command.add("--dbname=" + ConnInfo.of(source, database, false));
        run(source, command, Map.of());
    }

    /** The whole table of contents of an archive, as pg_restore -l prints it (one entry a line). */
    public List<String> contents(Path archive) throws PgToolException {
        return runForOutput(List.of(tools.find("pg_restore").toString(), "--list", archive.toString()));
    }

    /** The table of contents of one section of an archive, as pg_restore -l prints it (one entry a line). */
    public List<String> contents(Path archive, String section) throws PgToolException {
        return runForOutput(List.of(tools.find("pg_restore").toString(), "--list", "--section=" + section,
                archive.toString()));
    }

    /** Restores one section of an archive in one transaction. */
    public void restoreSection(Instance destination, String database, Path archive, String section,
            Map<String, String> settings) throws PgToolException {
        run(destination, List.of(tools.find("pg_restore").toString(), "--single-transaction", "--exit-on-error",
                "--section=" + section, "--dbname=" + ConnInfo.of(destination, database, false), archive.toString()),
                quiet(destination, database, settings));
    }

    /**
     * Restores the entries a list file names (pg_restore -L), in one transaction; {@code settings}
     * are session settings for the restore (e.g. maintenance_work_mem for index builds).
     */
    public void restoreListed(Instance destination, String database, Path archive, Path list,
            Map<String, String> settings) throws PgToolException {
        run(destination, List.of(tools.find("pg_restore").toString(), "--single-transaction", "--exit-on-error",
                "--use-list=" + list, "--dbname=" + ConnInfo.of(destination, database, false), archive.toString()),
                quiet(destination, database, settings));
    }

    /** Restores an archive into a destination database in one transaction: all or nothing. */
    public void restore(Instance destination, String database, Path archive) throws PgToolException {
        run(destination, List.of(tools.find("pg_restore").toString(), "--single-transaction", "--exit-on-error",
                "--dbname=" + ConnInfo.of(destination, database, false), archive.toString()),
                quiet(destination, database, Map.of()));
    }

    /** What {@link QuietSession} lets pgferry's user set on an instance, and when that was asked. */
    private record Settable(Map<String, String> settings, long askedAtNanos) {
    }

    /** Asked once a minute per instance at most: a snapshot copy restores once per table. */
    private static final long SETTABLE_FOR_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final Map<String, Settable> settable = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The restore's settings plus those of {@link QuietSession} that pgferry's user may set on the
     * destination (asked there: setting one it may not would refuse the connection).
     */
    private Map<String, String> quiet(Instance destination, String database, Map<String, String> settings)
            throws PgToolException {
        Settable known = settable.get(destination.name());
        if (known == null || System.nanoTime() - known.askedAtNanos() > SETTABLE_FOR_NANOS) {
            try (java.sql.Connection c = connector.act(destination, database)) {
                known = new Settable(QuietSession.settable(c), System.nanoTime());
            } catch (java.sql.SQLException e) {
                throw new PgToolException("could not connect to " + destination.name() + " to restore: "
                        + PgErrors.describe(e));
            }
            settable.put(destination.name(), known);
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(settings);
        all.putAll(known.settings());
        return all;
    }

    private List<String> runForOutput(List<String> command) throws PgToolException {
        return execute(new ProcessBuilder(new ArrayList<>(command)), "");
    }

    private void run(Instance instance, List<String> command, Map<String, String> settings) throws PgToolException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        if (instance.password().isPresent()) {
            builder.environment().put("PGPASSWORD", instance.password().reveal());
        }
        builder.environment().put("PGCONNECT_TIMEOUT", Integer.toString(PgConnector.CONNECT_TIMEOUT_SECONDS));
        if (!settings.isEmpty()) {
            StringBuilder options = new StringBuilder();
            settings.forEach((name, value) -> options.append(" -c ").append(name).append('=').append(value));
            builder.environment().put("PGOPTIONS", options.toString().strip());
        }
        execute(builder, " on " + instance.name());
    }

    /** Runs the tool to its end (or the time limit) and returns what it printed; fails with its last words. */
    private static List<String> execute(ProcessBuilder builder, String where) throws PgToolException {
        String program = Path.of(builder.command().getFirst()).getFileName().toString();
        Path output = null;
        try {
            output = Files.createTempFile("pgferry-" + program + "-", ".log");
            Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!waitFor(process)) {
                process.destroyForcibly();
                throw new PgToolException(program + " did not finish within " + TIMEOUT_MINUTES + " minutes");
            }
            if (process.exitValue() != 0) {
                throw new PgToolException(program + " failed" + where + ": " + tail(output));
            }
            return Files.readAllLines(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PgToolException("could not run " + program + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgToolException(program + " was interrupted");
        } finally {
            deleteQuietly(output);
        }
    }

    /** Waits for the tool; if this thread is interrupted (a copy cancelled), the tool is stopped too. */
    private static boolean waitFor(Process process) throws InterruptedException {
        try {
            return process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The tool's last words, redacted first (a cut could leave half a secret unrecognised). */
    private static String tail(Path output) throws IOException {
        String text = ToolOutput.redact(Files.readString(output, StandardCharsets.UTF_8).strip());
        return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
    }

    static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file holds no secret: schema text or tool output only
            }
        }
    }
}
