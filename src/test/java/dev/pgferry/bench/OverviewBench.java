package dev.pgferry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * bench/overview.sh: many databases on several PostgreSQL 15 sources into one 18 destination
 * (embedded, 127.0.0.1), pgferry started as users start it ({@code java -jar} with PGFERRY_*
 * environment variables): per source one mapping in run mode, brought to STREAMING, and, when
 * fewer are to stream than there are databases, one in plan mode that only observes the rest.
 * Then measured for a while: each reconcile tick (pgferry_tick_seconds), the sessions and
 * transactions a tick costs each server (pg_stat_database), the pages' response times (logged
 * in, as a browser asks for them), and pgferry's resident memory (/proc/PID/status).
 */
public final class OverviewBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 200;
    /** JAVA_TOOL_OPTIONS of the Dockerfile (with MALLOC_ARENA_MAX=2), less what does not matter here. */
    static final String DOCKERFILE_JVM_OPTIONS = "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 "
            + "-XX:MaxHeapFreeRatio=20 -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";
    private static final String USER = "bench";
    private static final String PASSWORD = UUID.randomUUID().toString();

    private final int databases;
    private final int sources;
    private final int streaming;
    private final int rows;
    private final Duration window;
    private final Path jar;
    private final List<String> jvmOptions;
    private final boolean nativeMemory;
    private final boolean statements;
    private final boolean histogram;
    private BenchClient client;
    /** The longest tick while the databases were set up and copied (pgferry_tick_seconds_max, seconds). */
    private double setupMaxTick;

    private OverviewBench(Map<String, String> options) {
        this.databases = Integer.parseInt(options.getOrDefault("databases", "100"));
        this.sources = Integer.parseInt(options.getOrDefault("sources", "2"));
        this.streaming = Integer.parseInt(options.getOrDefault("streaming", Integer.toString(databases)));
        this.rows = Integer.parseInt(options.getOrDefault("rows", "200"));
        this.window = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "180")));
        this.jar = Path.of(options.getOrDefault("jar", "target/pgferry.jar"));
        List<String> jvm = new ArrayList<>(List.of(options.getOrDefault("jvm",
                // the Dockerfile's options, in a container limited to 512 MiB
                "-XX:MaxRAM=512m " + DOCKERFILE_JVM_OPTIONS).split(" ")));
        this.nativeMemory = options.containsKey("nmt");
        this.statements = options.containsKey("statements");
        this.histogram = options.containsKey("histogram");
        if (nativeMemory) {
            jvm.add("-XX:NativeMemoryTracking=summary");
        }
        this.jvmOptions = List.copyOf(jvm);
    }

    public static void main(String[] args) throws Exception {
        new OverviewBench(options(args)).run();
        System.exit(0);
    }

    /** The bench scripts' {@code --name=value} arguments ({@code --flag} alone is "true"). */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            options.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        return options;
    }

    private void run() throws Exception {
        int perSource = databases / sources;
        int streamingPerSource = streaming / sources;
        Map<String, String> sourceSettings = new TreeMap<>(Map.of("max_wal_senders",
                Integer.toString(streamingPerSource + 20), "max_replication_slots",
                Integer.toString(streamingPerSource + 20), "max_connections",
                Integer.toString(perSource + streamingPerSource + 100), "max_worker_processes", "40"));
        Map<String, String> destinationSettings = new TreeMap<>(Map.of("max_connections",
                Integer.toString(streaming * 2 + 200), "max_worker_processes", Integer.toString(streaming + 40),
                "max_logical_replication_workers", Integer.toString(streaming + 20),
                "max_active_replication_origins", Integer.toString(streaming + 20)));
        if (statements) {
            // --statements: what the servers spend their time on, by statement (pg_stat_statements)
            sourceSettings.put("shared_preload_libraries", "pg_stat_statements");
            destinationSettings.put("shared_preload_libraries", "pg_stat_statements");
        }
        say("starting PostgreSQL 15 (%d sources) and 18 (destination) on 127.0.0.1 ...", sources);
        List<EmbeddedPostgres> servers = new ArrayList<>();
        try {
            for (int i = 1; i <= sources; i++) {
                servers.add(EmbeddedPostgres.start(15, UUID.randomUUID().toString(), sourceSettings));
            }
            EmbeddedPostgres destination = EmbeddedPostgres.start(18, UUID.randomUUID().toString(),
                    destinationSettings);
            servers.add(destination);
            Map<String, EmbeddedPostgres> sourceServers = new LinkedHashMap<>();
            Map<String, List<String>> sourceDatabases = new LinkedHashMap<>();
            for (int i = 1; i <= sources; i++) {
                String name = "src" + i;
                sourceServers.put(name, servers.get(i - 1));
                sourceDatabases.put(name, createDatabases(servers.get(i - 1), name, perSource));
            }
            Process pgferry = startPgferry(sourceServers, destination, sourceDatabases, streamingPerSource);
            try {
                awaitStreaming(pgferry, streamingPerSource * sources, perSource * sources, Duration.ofMinutes(60));
                measure(pgferry, sourceServers, destination);
            } finally {
                pgferry.destroy();
                pgferry.waitFor();
            }
        } finally {
            servers.forEach(EmbeddedPostgres::close);
        }
    }

    private List<String> createDatabases(EmbeddedPostgres server, String prefix, int count) throws SQLException {
        Instant start = Instant.now();
        String template = prefix + "_template";
        execute(server, "postgres", "CREATE DATABASE " + template);
        try (Connection c = connect(server, template)) {
            SampleSchema.create(c, rows);
        }
        List<String> names = IntStream.rangeClosed(1, count).mapToObj(i -> String.format("%s_%04d", prefix, i))
                .toList();
        for (String name : names) {
            execute(server, "postgres", "CREATE DATABASE " + name + " TEMPLATE " + template);
        }
        say("%d databases on %s (5 tables, one partitioned in 3, %d rows per table) in %d s", count, prefix, rows,
                Duration.between(start, Instant.now()).toSeconds());
        return names;
    }

    private Process startPgferry(Map<String, EmbeddedPostgres> sourceServers, EmbeddedPostgres destination,
            Map<String, List<String>> sourceDatabases, int streamingPerSource) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        client = new BenchClient("http://127.0.0.1:" + port, USER, PASSWORD);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        instance(env, "TARGET", destination);
        sourceServers.forEach((name, server) -> {
            instance(env, name.toUpperCase(), server);
            List<String> dbs = sourceDatabases.get(name);
            mapping(env, "RUN" + name.substring(3), name, dbs.subList(0, streamingPerSource), "run");
            if (streamingPerSource < dbs.size()) {
                mapping(env, "PLAN" + name.substring(3), name, dbs.subList(streamingPerSource, dbs.size()), "plan");
            }
        });
        // bcrypt of cost 4 (about 1 ms), not 10: the bench reads the metrics twice a second with HTTP
        // Basic, and each request checks the hash; at the default cost that alone would take a tenth of a core
        Path users = Path.of("target", "bench", "overview-users");
        Files.createDirectories(users.getParent());
        Files.writeString(users, USER + ":operator:"
                + new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder(4).encode(PASSWORD) + "\n");
        env.put("PGFERRY_USER_FILE", users.toAbsolutePath().toString());
        env.put("PGFERRY_READY_STABLE_FOR", "10s");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        Path log = Path.of("target", "bench", "overview-pgferry.log");
        Files.createDirectories(log.getParent());
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        say("starting pgferry: %s (log: %s)", String.join(" ", command), log);
        return builder.start();
    }

    /** PGFERRY_INSTANCES_<NAME>_* for an embedded server, as a deployment sets them. */
    static void instance(Map<String, String> env, String name, EmbeddedPostgres server) {
        env.put("PGFERRY_INSTANCES_" + name + "_HOST", server.host());
        env.put("PGFERRY_INSTANCES_" + name + "_PORT", Integer.toString(server.port()));
        env.put("PGFERRY_INSTANCES_" + name + "_USER", server.superuser());
        env.put("PGFERRY_INSTANCES_" + name + "_PASSWORD", server.password());
    }

    private static void mapping(Map<String, String> env, String name, String source, List<String> dbs,
            String mode) {
        env.put("PGFERRY_MAPPINGS_" + name + "_SOURCE", source);
        env.put("PGFERRY_MAPPINGS_" + name + "_DESTINATION", "target");
        env.put("PGFERRY_MAPPINGS_" + name + "_DATABASES", String.join(",", dbs));
        env.put("PGFERRY_MAPPINGS_" + name + "_MODE", mode);
    }

    private void awaitStreaming(Process pgferry, int toStream, int total, Duration atMost) throws Exception {
        Instant start = Instant.now();
        Instant deadline = start.plus(atMost);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            if (!pgferry.isAlive()) {
                throw new IllegalStateException("pgferry exited with " + pgferry.exitValue()
                        + "; see target/bench/overview-pgferry.log");
            }
            Map<String, Long> phases = phases();
            setupMaxTick = Math.max(setupMaxTick, maxTick());
            long streaming = phases.getOrDefault("STREAMING", 0L) + phases.getOrDefault("READY", 0L);
            String now = phases.toString();
            if (!now.equals(last)) {
                say("%4d s  %s", Duration.between(start, Instant.now()).toSeconds(), now);
                last = now;
            }
            if (streaming == toStream && phases.getOrDefault("PLANNED", 0L) == total - toStream) {
                say("%d databases streaming and %d planned after %d s; longest tick meanwhile %.0f ms", toStream,
                        total - toStream, Duration.between(start, Instant.now()).toSeconds(), setupMaxTick * 1000);
                return;
            }
            Thread.sleep(2000);
        }
        throw new IllegalStateException("not every database reached STREAMING in " + atMost + ": " + last);
    }

    private Map<String, Long> phases() {
        try {
            JsonNode mappings = JSON.readTree(client.get("/api/mappings", true).body());
            Map<String, Long> phases = new TreeMap<>();
            Map<String, String> why = new TreeMap<>();
            mappings.forEach(m -> m.get("databases").forEach(d -> {
                String phase = d.get("phase").asText();
                phases.merge(phase, 1L, Long::sum);
                if (phase.equals("BLOCKED") || phase.equals("FAILED")) {
                    why.putIfAbsent(phase, d.get("name").asText() + ": " + d.get("reason").asText());
                }
            }));
            why.forEach((phase, reason) -> say("  a %s database: %s", phase, reason));
            return phases;
        } catch (IOException | InterruptedException e) {
            return Map.of("(pgferry not answering yet)", 0L);
        }
    }

    private void measure(Process pgferry, Map<String, EmbeddedPostgres> sourceServers, EmbeddedPostgres destination)
            throws Exception {
        client.logIn();
        Map<String, EmbeddedPostgres> servers = new LinkedHashMap<>(sourceServers);
        servers.put("destination", destination);
        // first the ticks alone (no page is asked for), then the pages: each figure without the other's load
        Map<String, double[]> ticksBefore = ticks();
        Map<String, long[]> serversBefore = new LinkedHashMap<>();
        for (var server : servers.entrySet()) {
            serversBefore.put(server.getKey(), activity(server.getValue()));
        }
        say("measuring ticks for %d s ...", window.toSeconds());
        long maxRss = 0;
        Instant end = Instant.now().plus(window);
        TickDurations durations = new TickDurations(ticksBefore);
        while (Instant.now().isBefore(end)) {
            maxRss = Math.max(maxRss, BenchClient.memory(pgferry.pid()).get("VmRSS"));
            Thread.sleep(TickDurations.SAMPLE.toMillis());
            durations.sample(ticks());
        }
        Map<String, double[]> ticksAfter = ticks();
        Map<String, long[]> serversAfter = new LinkedHashMap<>();
        for (var server : servers.entrySet()) {
            serversAfter.put(server.getKey(), activity(server.getValue()));
        }
        say("measuring pages (%d requests each) ...", REQUESTS);
        List<Long> overview = new ArrayList<>();
        List<Long> overviewRow = new ArrayList<>();
        List<Long> mappingPage = new ArrayList<>();
        List<Long> databasePage = new ArrayList<>();
        List<Long> api = new ArrayList<>();
        String firstDb = URLEncoder.encode("src1_0001", StandardCharsets.UTF_8);
        for (int i = 0; i < REQUESTS; i++) {
            overview.add(client.timed("/", false));
            overviewRow.add(client.timed("/overview/mappings/run1", false, "HX-Request", "true"));
            mappingPage.add(client.timed("/mappings/run1", false));
            databasePage.add(client.timed("/mappings/run1/database?name=" + firstDb, false));
            if (i % 10 == 0) {
                api.add(client.timed("/api/mappings", true));
            }
            maxRss = Math.max(maxRss, BenchClient.memory(pgferry.pid()).get("VmRSS"));
        }
        Map<String, Long> memory = BenchClient.memory(pgferry.pid());
        double heapUsed = metric("jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}");

        System.out.println();
        System.out.println("=== pgferry overview benchmark ===");
        System.out.printf("machine: %d cores, %s, Java %s; pgferry JVM options: %s; MALLOC_ARENA_MAX=%s%n",
                Runtime.getRuntime().availableProcessors(), osName(), System.getProperty("java.version"),
                String.join(" ", jvmOptions), System.getenv().getOrDefault("MALLOC_ARENA_MAX", "2"));
        System.out.printf("databases: %d on %d x PostgreSQL 15 -> 1 x PostgreSQL 18, 5 tables + 3 partitions each; "
                + "%d STREAMING/READY (one run-mode mapping per source), %d observed in plan mode (one plan-mode "
                + "mapping per source); poll interval 5 s; window %d s%n", databases / sources * sources, sources,
                streaming / sources * sources, databases / sources * sources - streaming / sources * sources,
                window.toSeconds());
        long totalTicks = 0;
        for (String mapping : ticksAfter.keySet()) {
            double[] before = ticksBefore.getOrDefault(mapping, new double[3]);
            double[] after = ticksAfter.get(mapping);
            totalTicks += Math.round(after[0] - before[0]);
            System.out.println("tick " + durations.summary(mapping) + " (pgferry_tick_seconds, sampled every "
                    + TickDurations.SAMPLE.toMillis() + " ms)");
        }
        System.out.printf("longest tick while setting up and copying: %.0f ms (pgferry_tick_seconds_max)%n",
                setupMaxTick * 1000);
        System.out.println("stale actions in pgferry's log (whole run): " + staleActions()
                + " (\"interrupted snapshot copy\" or \"leftover replication slot\"; expected 0 without restarts)");
        for (var server : servers.entrySet()) {
            long[] before = serversBefore.get(server.getKey());
            long[] after = serversAfter.get(server.getKey());
            // a source's ticks are those of its mappings (run1 and plan1 read src1); the destination's, all
            String number = server.getKey().replace("src", "");
            long ticks = server.getKey().equals("destination") ? totalTicks : ticksAfter.entrySet().stream()
                    .filter(e -> e.getKey().equals("run" + number) || e.getKey().equals("plan" + number))
                    .mapToLong(e -> Math.round(e.getValue()[0] - ticksBefore.getOrDefault(e.getKey(),
                            new double[3])[0])).sum();
            System.out.printf("per tick on %-11s: %.1f sessions opened, %.1f transactions (pg_stat_database, "
                    + "all databases)%n", server.getKey(), (after[0] - before[0]) / (double) Math.max(1, ticks),
                    (after[1] - before[1]) / (double) Math.max(1, ticks));
        }
        BenchClient.print("GET / (overview, full page)", overview);
        BenchClient.print("GET /overview/mappings/run1 (row, htmx)", overviewRow);
        BenchClient.print("GET /mappings/run1 (" + streaming / sources + " databases)", mappingPage);
        BenchClient.print("GET /mappings/run1/database (one database)", databasePage);
        BenchClient.print("GET /api/mappings (JSON, all, HTTP Basic)", api);
        System.out.printf("pgferry memory: RSS now %d MB, max seen %d MB, peak (VmHWM) %d MB; heap used %.0f MB%n",
                memory.get("VmRSS") / 1024, maxRss / 1024, memory.get("VmHWM") / 1024, heapUsed / 1024 / 1024);
        System.out.println("goal: every tick < 5 s (mean < 1 s), overview < 100 ms, RSS < 300 MB");
        if (statements) {
            for (var server : servers.entrySet()) {
                printStatements(server.getKey(), server.getValue());
            }
        }
        if (histogram) {
            // after a full GC (the histogram forces one): what the live heap holds, largest first
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pgferry.pid()), "GC.class_histogram").redirectErrorStream(true).start();
            String report = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor();
            System.out.println("live heap by class (jcmd GC.class_histogram, the 15 largest):");
            report.lines().filter(l -> l.matches("^\\s*\\d+:.*")).limit(15).map(l -> "  " + l.strip())
                    .forEach(System.out::println);
            report.lines().filter(l -> l.startsWith("Total")).map(l -> "  " + l.strip()).forEach(System.out::println);
        }
        if (nativeMemory) {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pgferry.pid()), "VM.native_memory", "summary", "scale=MB").redirectErrorStream(true)
                    .start();
            String report = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor();
            System.out.println("native memory (committed, MB), by the JVM's own account:");
            report.lines().filter(l -> l.matches("^(Total|-\\s+\\S.*)\\(reserved=.*"))
                    .map(l -> "  " + l.replaceAll("\\s+", " ").strip()).forEach(System.out::println);
        }
    }

    /** The lines of pgferry's log that undo an "interrupted" copy: in a run without restarts, none is right. */
    static long staleActions() throws IOException {
        try (var lines = Files.lines(Path.of("target", "bench", "overview-pgferry.log"))) {
            return lines.filter(l -> l.contains("interrupted snapshot copy") || l.contains("leftover replication slot"))
                    .count();
        }
    }

    /** The longest recent tick of any mapping (the timer's max, which covers the last minutes); 0 when unknown. */
    private double maxTick() {
        try {
            return ticks().values().stream().mapToDouble(v -> v[2]).max().orElse(0);
        } catch (Exception e) {
            return 0;
        }
    }

    Map<String, double[]> ticks() throws Exception {
        String text = client.get("/actuator/prometheus", true).body();
        Map<String, double[]> ticks = new TreeMap<>();
        Matcher m = Pattern.compile("pgferry_tick_seconds_(count|sum|max)\\{mapping=\"([^\"]+)\"[^}]*\\} (\\S+)")
                .matcher(text);
        while (m.find()) {
            double[] values = ticks.computeIfAbsent(m.group(2), k -> new double[3]);
            int index = switch (m.group(1)) {
                case "count" -> 0;
                case "sum" -> 1;
                default -> 2;
            };
            values[index] = Double.parseDouble(m.group(3));
        }
        return ticks;
    }

    private double metric(String pattern) throws Exception {
        String text = client.get("/actuator/prometheus", true).body();
        Matcher m = Pattern.compile(pattern + " (\\S+)").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /**
     * The statements that took the server's time, most first, summed over its databases (from its
     * start: set-up and copy included).
     */
    private static void printStatements(String name, EmbeddedPostgres server) throws SQLException {
        execute(server, "postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        try (Connection c = connect(server, "postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT round(sum(total_exec_time))::bigint, sum(calls), "
                        + "round((sum(total_exec_time) / sum(calls))::numeric, 3), regexp_replace(left(min(query), 110), "
                        + "'\\s+', ' ', 'g') FROM pg_stat_statements GROUP BY queryid ORDER BY 1 DESC LIMIT 8")) {
            System.out.println("statements on " + name + " by total time (ms total, calls, ms each, statement):");
            while (rs.next()) {
                System.out.printf("  %8d %8d %8s  %s%n", rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getString(4));
            }
        }
    }

    /** Sessions and transactions of every database of the server so far. */
    private static long[] activity(EmbeddedPostgres server) throws SQLException {
        try (Connection c = connect(server, "postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sum(sessions), sum(xact_commit + xact_rollback) "
                        + "FROM pg_stat_database")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private static String osName() {
        try {
            return Files.readAllLines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME="))
                    .findFirst().map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).orElse("Linux");
        } catch (IOException e) {
            return "Linux";
        }
    }

    private static Connection connect(EmbeddedPostgres server, String database) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), server.superuser(), server.password());
    }

    private static void execute(EmbeddedPostgres server, String database, String sql) throws SQLException {
        try (Connection c = connect(server, database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }
}
