package dev.pgferry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgferry.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * bench/soak.sh: a PostgreSQL 15 -> 18 migration under a steady pgbench write load. pgferry (the
 * jar, as deployed) copies a pgbench database and streams; then pgbench runs its TPC-B-like
 * transactions (three updates and one insert each) at a fixed rate for the chosen time while the
 * bench samples, every second and independently of pgferry, the apply lag the source's walsender
 * reports (replay_lag: commit on the source until applied on the destination), the lag in bytes,
 * the WAL the slot retains, and pgferry's CPU and memory. At the end the load stops, the
 * destination catches up, and every table's row count and the balances are compared.
 */
public final class SoakBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "soak";
    private static final String USER = "bench";
    private static final String PASSWORD = UUID.randomUUID().toString();
    private static final int WRITES_PER_TRANSACTION = 4;

    private final int minutes;
    private final int writesPerSecond;
    private final int scale;
    private final Path jar;
    private final List<String> jvm;
    private final HttpClient http = HttpClient.newHttpClient();

    private SoakBench(Map<String, String> options) {
        minutes = Integer.parseInt(options.getOrDefault("minutes", "30"));
        writesPerSecond = Integer.parseInt(options.getOrDefault("writes", "500"));
        scale = Integer.parseInt(options.getOrDefault("scale", "10"));
        jar = Path.of(options.getOrDefault("jar", "target/pgferry.jar"));
        jvm = List.of(options.getOrDefault("jvm", OverviewBench.DOCKERFILE_JVM_OPTIONS).split(" "));
    }

    public static void main(String[] args) throws Exception {
        new SoakBench(OverviewBench.options(args)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Map<String, String> settings = Map.of("max_wal_size", "2GB", "shared_buffers", "256MB");
        CopyBench.say("starting PostgreSQL 15 (source) and 18 (destination) on 127.0.0.1 ...");
        try (EmbeddedPostgres source = EmbeddedPostgres.start(15, UUID.randomUUID().toString(), settings);
                EmbeddedPostgres destination = EmbeddedPostgres.start(18, UUID.randomUUID().toString(), settings)) {
            CopyBench.execute(source, "postgres", "CREATE DATABASE " + DB);
            CopyBench.tool(source, "pgbench", "-i", "-q", "-s", Integer.toString(scale), "-h", source.host(), "-p",
                    Integer.toString(source.port()), "-U", source.superuser(), DB);
            // logical replication needs a key on every table it updates; pgbench_history has none
            CopyBench.execute(source, DB, "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY");
            Process pgferry = startPgferry(source, destination);
            try {
                String base = "http://127.0.0.1:" + port;
                Instant start = Instant.now();
                CopyBench.await(pgferry, () -> streaming(base), Duration.ofMinutes(10));
                CopyBench.say("pgferry streams %s after %d s", DB, Duration.between(start, Instant.now()).toSeconds());
                Samples samples = soak(source, pgferry);
                Instant load = Instant.now();
                CopyBench.await(pgferry, () -> caughtUp(source), Duration.ofMinutes(5));
                double drain = Duration.between(load, Instant.now()).toMillis() / 1000.0;
                String equal = compare(source, destination);
                report(samples, drain, equal);
            } finally {
                pgferry.destroy();
                pgferry.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private int port;

    private Process startPgferry(EmbeddedPostgres source, EmbeddedPostgres destination) throws IOException {
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
        env.put("PGFERRY_MAPPINGS_SOAK_SOURCE", "src");
        env.put("PGFERRY_MAPPINGS_SOAK_DESTINATION", "dst");
        env.put("PGFERRY_MAPPINGS_SOAK_DATABASES", DB);
        env.put("PGFERRY_MAPPINGS_SOAK_MODE", "run");
        env.put("PGFERRY_MAPPINGS_SOAK_COPY_MAX_RATE", "0");
        env.put("PGFERRY_USERS_" + USER.toUpperCase() + "_PASSWORD", PASSWORD);
        env.put("PGFERRY_USERS_" + USER.toUpperCase() + "_ROLE", "operator");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        Path log = Path.of("target", "bench", "soak-pgferry.log");
        Files.createDirectories(log.getParent());
        CopyBench.say("starting pgferry: %s (log: %s)", String.join(" ", command), log);
        return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** What was sampled every second under load. */
    private record Samples(List<Double> lagSeconds, List<Long> lagBytes, List<Long> retainedBytes, List<Long> rssKb,
            double cpuCores, String pgbenchSummary) {
    }

    private Samples soak(EmbeddedPostgres source, Process pgferry) throws Exception {
        int tps = Math.max(1, writesPerSecond / WRITES_PER_TRANSACTION);
        int seconds = minutes * 60;
        Path log = Path.of("target", "bench", "soak-pgbench.log");
        ProcessBuilder builder = new ProcessBuilder("pgbench", "-n", "-c", "4", "-j", "2", "-R", Integer.toString(tps),
                "-T", Integer.toString(seconds), "-P", "60", "-h", source.host(), "-p", Integer.toString(source.port()),
                "-U", source.superuser(), DB).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PGPASSWORD", source.password());
        CopyBench.say("pgbench: %d transactions/s (TPC-B-like: 3 updates + 1 insert = %d writes/s) for %d min",
                tps, tps * WRITES_PER_TRANSACTION, minutes);
        List<Double> lag = new ArrayList<>();
        List<Long> bytes = new ArrayList<>();
        List<Long> retained = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        Duration cpuBefore = pgferry.info().totalCpuDuration().orElse(Duration.ZERO);
        Instant start = Instant.now();
        Process pgbench = builder.start();
        long nextReport = 60;
        while (pgbench.isAlive()) {
            Thread.sleep(1000);
            if (!pgferry.isAlive()) {
                throw new IllegalStateException("pgferry exited with " + pgferry.exitValue()
                        + "; see target/bench/soak-pgferry.log");
            }
            List<String> row = CopyBench.list(source, "postgres", """
                    SELECT concat_ws(' ', coalesce(extract(epoch FROM r.replay_lag), 0),
                           pg_current_wal_lsn() - s.confirmed_flush_lsn, pg_current_wal_lsn() - s.restart_lsn)
                    FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
                    WHERE s.slot_name LIKE 'pgferry%'""");
            if (!row.isEmpty()) {
                String[] values = row.getFirst().split(" ");
                lag.add(Double.parseDouble(values[0]));
                bytes.add(Long.parseLong(values[1]));
                retained.add(Long.parseLong(values[2]));
            }
            rss.add(rssKb(pgferry.pid()));
            long elapsed = Duration.between(start, Instant.now()).toSeconds();
            if (elapsed >= nextReport) {
                CopyBench.say("%3d min: lag p95 so far %.3f s, max %.3f s; WAL retained now %s; pgferry RSS %d MB",
                        elapsed / 60, percentile(lag, 0.95), Collections.max(lag), mb(retained.getLast()),
                        rss.getLast() / 1024);
                nextReport += 60;
            }
        }
        Duration wall = Duration.between(start, Instant.now());
        Duration cpu = pgferry.info().totalCpuDuration().orElse(Duration.ZERO).minus(cpuBefore);
        if (pgbench.exitValue() != 0) {
            throw new IllegalStateException("pgbench failed; see " + log);
        }
        String summary = String.join("; ", Files.readAllLines(log).stream().filter(l -> l.startsWith("tps =")
                || l.startsWith("number of transactions actually processed") || l.startsWith("latency average"))
                .toList());
        return new Samples(lag, bytes, retained, rss, (double) cpu.toMillis() / wall.toMillis(), summary);
    }

    private boolean caughtUp(EmbeddedPostgres source) throws SQLException {
        return CopyBench.list(source, "postgres", "SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'pgferry%' "
                + "AND confirmed_flush_lsn >= pg_current_wal_lsn()").size() == 1;
    }

    /** Row counts of every pgbench table and the sum of the balances, both sides. */
    private static String compare(EmbeddedPostgres source, EmbeddedPostgres destination) throws SQLException {
        String sql = "SELECT concat_ws(' ', (SELECT count(*) FROM pgbench_accounts), (SELECT sum(abalance) FROM "
                + "pgbench_accounts), (SELECT count(*) FROM pgbench_history), (SELECT sum(delta) FROM "
                + "pgbench_history), (SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(tbalance) FROM "
                + "pgbench_tellers))";
        String onSource = CopyBench.list(source, DB, sql).getFirst();
        String onDestination = CopyBench.list(destination, DB, sql).getFirst();
        if (!onSource.equals(onDestination)) {
            throw new IllegalStateException("the destination differs: " + onDestination + " vs the source's "
                    + onSource);
        }
        return onSource;
    }

    private void report(Samples s, double drainSeconds, String equal) {
        System.out.println();
        System.out.printf("soak benchmark: %d min at %d writes/s (pgbench scale %d, TPC-B-like), PostgreSQL 15 -> 18, "
                + "%d cores%n", minutes, writesPerSecond, scale, Runtime.getRuntime().availableProcessors());
        System.out.printf("pgbench: %s%n", s.pgbenchSummary());
        System.out.printf("apply lag (replay_lag, %d samples): p50 %.3f s, p95 %.3f s, max %.3f s%n",
                s.lagSeconds().size(), percentile(s.lagSeconds(), 0.50), percentile(s.lagSeconds(), 0.95),
                Collections.max(s.lagSeconds()));
        List<Double> bytes = s.lagBytes().stream().map(Long::doubleValue).toList();
        System.out.printf("lag in bytes: p50 %s, p95 %s, max %s%n", mb((long) percentile(bytes, 0.5)),
                mb((long) percentile(bytes, 0.95)), mb(Collections.max(s.lagBytes())));
        List<Double> retained = s.retainedBytes().stream().map(Long::doubleValue).toList();
        System.out.printf("WAL retained by the slot: p50 %s, max %s%n", mb((long) percentile(retained, 0.5)),
                mb(Collections.max(s.retainedBytes())));
        System.out.printf("pgferry: CPU %.1f%% of one core on average; RSS median %d MB, max %d MB%n",
                s.cpuCores() * 100, median(s.rssKb()) / 1024, Collections.max(s.rssKb()) / 1024);
        System.out.printf("caught up %.1f s after the load stopped; rows and balances equal on both sides (%s)%n",
                drainSeconds, equal);
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(sorted.size() * p) - 1)));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1048576.0);
    }

    private static long rssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS")).findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .orElse(0L);
    }

    private boolean streaming(String base) throws IOException {
        JsonNode database = get(base + "/api/mappings/soak");
        if (database == null) {
            return false;
        }
        String phase = database.at("/databases/0/phase").asText();
        if (phase.equals("FAILED") || phase.equals("BLOCKED")) {
            throw new IllegalStateException("pgferry: " + database.at("/databases/0/reason").asText());
        }
        return phase.equals("STREAMING") || phase.equals("READY");
    }

    private JsonNode get(String url) throws IOException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                            .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (java.net.ConnectException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
