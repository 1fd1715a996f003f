package dev.pgferry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgferry.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * bench/copy.sh: the initial copy, side by side on the same data in one run. A PostgreSQL 15
 * source (embedded, 127.0.0.1) gets pgbench tables at the chosen scale, a jsonb table with a GIN
 * index (20,000 rows per scale unit) and a range-partitioned table (10,000 rows per unit); then
 * each method copies it to an empty PostgreSQL 18 destination, timed from its start until the
 * destination is ready for applications: pgferry snapshot and pgferry native (until STREAMING,
 * from the operator's start), pg_dump -Fd -j N + pg_restore -j N, and pgcopydb clone with N table
 * and N index jobs. Every run checks every row (counts and a hash of each row's text per table); the
 * median of the runs is compared.
 */
public final class CopyBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "bench";
    private static final String USER = "bench";
    private static final String PASSWORD = UUID.randomUUID().toString();
    private static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers",
            "pgbench_history", "docs", "events");

    private final int scale;
    private final int runs;
    private final int jobs;
    private final List<String> methods;
    private final Path jar;
    /** pgferry's JVM options: the Dockerfile's unless given. */
    private final List<String> jvm;
    /** pgferry's poll interval: the default users get unless --poll says otherwise. */
    private final String poll;

    private CopyBench(Map<String, String> options) {
        scale = Integer.parseInt(options.getOrDefault("scale", "50"));
        runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        jobs = Integer.parseInt(options.getOrDefault("jobs", "2"));
        methods = List.of(options.getOrDefault("methods", "snapshot,native,pgdump,pgcopydb,defaults").split(","));
        jar = Path.of(options.getOrDefault("jar", "target/pgferry.jar"));
        jvm = List.of(options.getOrDefault("jvm", OverviewBench.DOCKERFILE_JVM_OPTIONS).split(" "));
        poll = options.get("poll");
    }

    public static void main(String[] args) throws Exception {
        new CopyBench(OverviewBench.options(args)).run();
    }

    private void run() throws Exception {
        // the same servers for every method, as the tests run them (PostgreSQL's defaults but for
        // fsync, full_page_writes and synchronous_commit off, 64 MB of shared buffers): no tuning for
        // one tool; each tool sets what it sets for its own sessions
        Map<String, String> settings = Map.of();
        say("starting PostgreSQL 15 (source) and 18 (destination) on 127.0.0.1 ...");
        try (EmbeddedPostgres source = EmbeddedPostgres.start(15, UUID.randomUUID().toString(), settings);
                EmbeddedPostgres destination = EmbeddedPostgres.start(18, UUID.randomUUID().toString(), settings)) {
            build(source);
            Map<String, String> counts = counts(source);
            say("source: %s, %s", counts, size(source));
            Map<String, List<Double>> times = new LinkedHashMap<>();
            Map<String, String> profiles = new LinkedHashMap<>();
            // an untimed copy first: the destination's first copy also creates its WAL files, which
            // every later one recycles; whichever method went first would pay for that
            reset(source, destination);
            say("warm-up: one untimed copy with pg_dump/pg_restore ...");
            pgDump(source, destination);
            for (int run = 1; run <= runs; run++) {
                // each run starts with another method, so that none is always first or last
                List<String> order = new ArrayList<>(methods);
                java.util.Collections.rotate(order, -(run - 1));
                for (String method : order) {
                    reset(source, destination);
                    double seconds = switch (method) {
                        case "snapshot", "native", "defaults" -> pgferry(source, destination, method, profiles);
                        case "pgdump" -> pgDump(source, destination);
                        case "pgcopydb" -> pgcopydb(source, destination);
                        default -> throw new IllegalArgumentException("unknown method " + method);
                    };
                    Map<String, String> copied = counts(destination);
                    if (!copied.equals(counts)) {
                        throw new IllegalStateException(method + ": rows differ: " + copied + " vs " + counts);
                    }
                    say("run %d  %-9s %7.1f s  (every row equal)", run, method, seconds);
                    times.computeIfAbsent(method, k -> new ArrayList<>()).add(seconds);
                }
            }
            profiles.put("floor", buildAlone(destination));
            reset(source, destination);
            report(times, profiles, size(source));
        }
    }

    /** pgbench tables (history with a key, as replication needs), a jsonb table with GIN, a partitioned table. */
    private void build(EmbeddedPostgres source) throws Exception {
        execute(source, "postgres", "CREATE DATABASE " + DB);
        say("pgbench -i -s %d ...", scale);
        tool(source, "pgbench", "-i", "-q", "-s", Integer.toString(scale), "-h", source.host(), "-p",
                Integer.toString(source.port()), "-U", source.superuser(), DB);
        execute(source, DB, "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY",
                "CREATE TABLE docs (id bigint PRIMARY KEY, doc jsonb NOT NULL)",
                "INSERT INTO docs SELECT g, jsonb_build_object('id', g, 'tags', jsonb_build_array('t' || g % 100, "
                        + "'u' || g % 7), 'name', md5(g::text)) FROM generate_series(1, " + 20_000L * scale + ") g",
                "CREATE INDEX docs_doc ON docs USING gin (doc)",
                "CREATE TABLE events (id bigint, at timestamptz NOT NULL, payload text, PRIMARY KEY (id, at)) "
                        + "PARTITION BY RANGE (at)",
                "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "INSERT INTO events SELECT g, '2025-01-01'::timestamptz + (g % 700) * interval '1 day', md5(g::text) "
                        + "FROM generate_series(1, " + 10_000L * scale + ") g",
                "CREATE INDEX events_at ON events (at)", "VACUUM ANALYZE");
    }

    private double pgferry(EmbeddedPostgres source, EmbeddedPostgres destination, String method,
            Map<String, String> profiles) throws Exception {
        Map<String, String> mapping = new LinkedHashMap<>();
        // "defaults": the snapshot copy with what a user gets without setting anything (4 workers, 100MB/s)
        mapping.put("COPY_METHOD", method.equals("native") ? "native" : "snapshot");
        if (!method.equals("defaults")) {
            mapping.put("COPY_WORKERS", Integer.toString(jobs));
            mapping.put("COPY_MAX_RATE", "0");
        }
        Path log = Path.of("target", "bench", "copy-pgferry-" + method + ".log");
        Running running = start(jar, jvm, source, destination, DB, mapping, poll, log);
        Process pgferry = running.process();
        String base = running.base();
        try {
            BenchClient client = client(base);
            await(pgferry, () -> "PLANNED".equals(phase(client)), Duration.ofMinutes(2));
            Duration cpuBefore = cpu(pgferry);
            Instant start = Instant.now();
            start(client);
            await(pgferry, () -> streaming(client), Duration.ofMinutes(60));
            double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            Duration cpuDuring = cpu(pgferry).minus(cpuBefore);
            Files.readAllLines(log).stream().filter(l -> l.contains("snapshot copy done in")).reduce((a, b) -> b)
                    .ifPresent(l -> {
                        String done = l.substring(l.indexOf("snapshot copy done in"));
                        // what is not the copy's own work: from the start request to its first step, and
                        // from the subscription to STREAMING seen in the API
                        double copy = Double.parseDouble(done.replaceAll("snapshot copy done in ([0-9.]+) s.*", "$1"));
                        profiles.put(method, done + String.format("; outside the copy (start request, planning, "
                                + "observing STREAMING): %.1f s", seconds - copy));
                    });
            Files.readAllLines(log).stream().filter(l -> l.contains("per table (seconds")).reduce((a, b) -> b)
                    .ifPresent(l -> profiles.put(method + " tables", l.substring(l.indexOf("per table"))));
            profiles.put(method + " cpu", String.format("pgferry used %.2f s of CPU from start to STREAMING (%.2f s "
                    + "per GB of rows), %.2f s in all with its own start-up", cpuDuring.toMillis() / 1000.0,
                    cpuDuring.toMillis() / 1000.0 / (copiedBytes(source) / 1e9), cpu(pgferry).toMillis() / 1000.0));
            return seconds;
        } finally {
            pgferry.destroy();
            pgferry.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The critical path's floor: the GIN index of docs built again on the destination with nothing
     * else running, as pgferry builds it (no parallel workers, 256MB): no copy of this database can
     * be ready before docs is copied and this build is done.
     */
    private static String buildAlone(EmbeddedPostgres destination) throws SQLException {
        try (Connection c = connect(destination, DB); Statement s = c.createStatement()) {
            s.execute("DROP INDEX docs_doc");
            s.execute("SET max_parallel_maintenance_workers = 0");
            s.execute("SET maintenance_work_mem = '256MB'");
            Instant start = Instant.now();
            s.execute("CREATE INDEX docs_doc ON docs USING gin (doc)");
            return String.format("the GIN index of docs built alone on the idle destination (no parallel workers, "
                    + "256MB): %.1f s", Duration.between(start, Instant.now()).toMillis() / 1000.0);
        }
    }

    /** A pgferry process the bench started, and where it answers. */
    record Running(Process process, String base) {
    }

    /**
     * pgferry as users run it (`java -jar` with the given JVM options) with one plan-mode mapping
     * "bench" from source to destination for one database, with the mapping's settings given
     * (COPY_WORKERS=2 as PGFERRY_MAPPINGS_BENCH_COPY_WORKERS...), the bench's operator user, and
     * PGFERRY_PG_BIN_DIR (the image's 18 client) from bench/*.sh through the environment.
     */
    static Running start(Path jar, List<String> jvm, EmbeddedPostgres source, EmbeddedPostgres destination,
            String database, Map<String, String> mapping, String poll, Path log) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        OverviewBench.instance(env, "SRC", source);
        OverviewBench.instance(env, "DST", destination);
        env.put("PGFERRY_MAPPINGS_BENCH_SOURCE", "src");
        env.put("PGFERRY_MAPPINGS_BENCH_DESTINATION", "dst");
        env.put("PGFERRY_MAPPINGS_BENCH_DATABASES", database);
        env.put("PGFERRY_MAPPINGS_BENCH_MODE", "plan");
        mapping.forEach((key, value) -> env.put("PGFERRY_MAPPINGS_BENCH_" + key, value));
        if (poll != null) {
            env.put("PGFERRY_POLL_INTERVAL", poll);
        }
        env.put("PGFERRY_USERS_" + USER.toUpperCase() + "_PASSWORD", PASSWORD);
        env.put("PGFERRY_USERS_" + USER.toUpperCase() + "_ROLE", "operator");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        Files.createDirectories(log.getParent());
        Process pgferry = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Running(pgferry, "http://127.0.0.1:" + port);
    }

    static BenchClient client(String base) {
        return new BenchClient(base, USER, PASSWORD);
    }

    /** What the process has used of the CPU so far (user and system, all threads). */
    private static Duration cpu(Process process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The bytes of the tables' rows on the source (what a copy moves, without indexes). */
    private static long copiedBytes(EmbeddedPostgres source) throws SQLException {
        return Long.parseLong(list(source, DB, "SELECT sum(pg_relation_size(oid)) FROM pg_class WHERE relkind = 'r' "
                + "AND relnamespace = 'public'::regnamespace").getFirst());
    }

    private double pgDump(EmbeddedPostgres source, EmbeddedPostgres destination) throws Exception {
        Path dir = Files.createTempDirectory("bench-dump-");
        Files.delete(dir);
        Instant start = Instant.now();
        execute(destination, "postgres", "CREATE DATABASE " + DB);
        tool(source, "pg_dump", "-Fd", "-j", Integer.toString(jobs), "-f", dir.toString(), "-h", source.host(),
                "-p", Integer.toString(source.port()), "-U", source.superuser(), DB);
        tool(destination, "pg_restore", "-j", Integer.toString(jobs), "-h", destination.host(), "-p",
                Integer.toString(destination.port()), "-U", destination.superuser(), "-d", DB, dir.toString());
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        deleteTree(dir);
        return seconds;
    }

    private double pgcopydb(EmbeddedPostgres source, EmbeddedPostgres destination) throws Exception {
        Path dir = Files.createTempDirectory("bench-pgcopydb-");
        Instant start = Instant.now();
        execute(destination, "postgres", "CREATE DATABASE " + DB);
        tool(null, "pgcopydb", "clone", "--source", uri(source), "--target", uri(destination), "--table-jobs",
                Integer.toString(jobs), "--index-jobs", Integer.toString(jobs), "--dir", dir.toString(),
                "--restart");
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        deleteTree(dir);
        return seconds;
    }

    /** Nothing of a previous run: no destination database, no slot, publication or subscription of pgferry's. */
    private void reset(EmbeddedPostgres source, EmbeddedPostgres destination) throws SQLException {
        if (exists(destination, DB)) {
            dropCopy(source, destination, DB);
        }
        for (String pub : list(source, DB, "SELECT pubname FROM pg_publication")) {
            execute(source, DB, "DROP PUBLICATION \"" + pub + "\"");
        }
        if (exists(destination, "postgres") && !list(destination, "postgres",
                "SELECT 1 FROM pg_namespace WHERE nspname = 'pgferry'").isEmpty()) {
            execute(destination, "postgres", "DELETE FROM pgferry.start_request", "DELETE FROM pgferry.completion");
        }
        execute(destination, "postgres", "CHECKPOINT");
        execute(source, "postgres", "CHECKPOINT");
    }

    /** A copy gone: the destination database, its subscriptions (not their slots), and every slot on the source. */
    static void dropCopy(EmbeddedPostgres source, EmbeddedPostgres destination, String database) throws SQLException {
        for (String sub : list(destination, database, "SELECT subname FROM pg_subscription")) {
            execute(destination, database, "ALTER SUBSCRIPTION \"" + sub + "\" DISABLE",
                    "ALTER SUBSCRIPTION \"" + sub + "\" SET (slot_name = NONE)", "DROP SUBSCRIPTION \"" + sub + "\"");
        }
        execute(destination, "postgres", "DROP DATABASE \"" + database + "\" WITH (FORCE)");
        for (String slot : list(source, "postgres", "SELECT slot_name FROM pg_replication_slots")) {
            execute(source, "postgres", "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    private void report(Map<String, List<Double>> times, Map<String, String> profiles, String size) {
        System.out.println();
        System.out.printf("copy benchmark: scale %d (%s), %d run(s), %d jobs; %s, %d cores%n", scale, size, runs, jobs,
                System.getProperty("os.name"), Runtime.getRuntime().availableProcessors());
        Double snapshot = times.containsKey("snapshot") ? median(times.get("snapshot")) : null;
        System.out.printf("%-10s %-28s %9s %s%n", "method", "runs (s)", "median", "snapshot / method");
        times.forEach((method, list) -> {
            double median = median(list);
            System.out.printf("%-10s %-28s %8.1fs %s%n", method, list.stream().map(t -> String.format("%.1f", t))
                    .toList(), median, snapshot == null ? "" : String.format("%.2f", snapshot / median));
        });
        profiles.forEach((method, line) -> System.out.printf("%s profile (last run): %s%n", method, line));
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The mapping's first database's phase; null while pgferry does not answer yet. */
    static String phase(BenchClient client) throws InterruptedException {
        try {
            HttpResponse<String> response = client.get("/api/mappings/bench", true);
            return response.statusCode() != 200 ? null
                    : JSON.readTree(response.body()).at("/databases/0/phase").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** STREAMING (or READY) with every table ready; a FAILED or BLOCKED database ends the bench. */
    static boolean streaming(BenchClient client) throws InterruptedException {
        try {
            HttpResponse<String> response = client.get("/api/mappings/bench", true);
            if (response.statusCode() != 200) {
                return false;
            }
            JsonNode database = JSON.readTree(response.body()).at("/databases/0");
            String phase = database.at("/phase").asText();
            if (phase.equals("FAILED") || phase.equals("BLOCKED")) {
                throw new IllegalStateException("pgferry: " + database.at("/reason").asText());
            }
            boolean allReady = database.at("/tables").size() > 0;
            for (JsonNode table : database.at("/tables")) {
                allReady &= "r".equals(table.at("/syncState").asText());
            }
            return allReady && (phase.equals("STREAMING") || phase.equals("READY"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The operator's start of the plan-mode mapping. */
    static void start(BenchClient client) throws IOException, InterruptedException {
        HttpResponse<String> response = client.post("/api/mappings/bench/start");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("start: " + response.statusCode() + " " + response.body());
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until the check holds; fails when pgferry exits first (its log is in target/bench/). */
    static void await(Process pgferry, Check check, Duration atMost) throws Exception {
        Instant deadline = Instant.now().plus(atMost);
        while (Instant.now().isBefore(deadline)) {
            if (!pgferry.isAlive()) {
                throw new IllegalStateException("pgferry exited with " + pgferry.exitValue()
                        + "; see its log in target/bench/");
            }
            if (check.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not reached within " + atMost);
    }

    static void tool(EmbeddedPostgres server, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (server != null) {
            builder.environment().put("PGPASSWORD", server.password());
        }
        Path log = Path.of("target", "bench", "copy-" + command[0] + ".log");
        Files.createDirectories(log.getParent());
        Process process = builder.redirectOutput(log.toFile()).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command[0] + " failed; see " + log + ": "
                    + String.join("\n", Files.readAllLines(log).stream().skip(Math.max(0,
                            Files.readAllLines(log).size() - 20)).toList()));
        }
    }

    private static String uri(EmbeddedPostgres server) {
        return "postgres://" + server.superuser() + ":" + server.password() + "@" + server.host() + ":" + server.port()
                + "/" + DB;
    }

    /**
     * Each table's rows and a sum of a hash of every row's text: the copy's every row is checked,
     * not only their number (order does not matter; both sides print rows the same way).
     */
    private static Map<String, String> counts(EmbeddedPostgres server) throws SQLException {
        Map<String, String> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, list(server, DB, "SELECT count(*) || ' rows, content ' "
                    + "|| coalesce(sum(hashtext(t::text)::bigint), 0) FROM " + table + " t").getFirst());
        }
        return counts;
    }

    private static String size(EmbeddedPostgres server) throws SQLException {
        return list(server, DB, "SELECT pg_size_pretty(pg_database_size(current_database()))").getFirst();
    }

    private static boolean exists(EmbeddedPostgres server, String database) throws SQLException {
        return !list(server, "postgres", "SELECT 1 FROM pg_database WHERE datname = '" + database + "'").isEmpty();
    }

    static Connection connect(EmbeddedPostgres server, String database) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), server.superuser(), server.password());
    }

    static void execute(EmbeddedPostgres server, String database, String... statements) throws SQLException {
        try (Connection c = connect(server, database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    static List<String> list(EmbeddedPostgres server, String database, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(server, database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void say(String format, Object... args) {
        System.out.printf("[%s] %s%n", java.time.LocalTime.now().withNano(0), String.format(format, args));
    }
}
