package dev.pgferry.bench;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * bench/tables.sh: one database of many tables (by default 1,800 plain tables of mixed sizes and
 * 20 partitioned tables of 10 partitions: 2,000 tables with rows), copied by pgferry's snapshot
 * copy and by pgcopydb in one run, on the same servers as bench/copy.sh. Prints each method's
 * time (pgferry: from the operator's start to STREAMING in the API), pgferry's peak resident
 * memory and CPU, its database page's response times once the database streams, and whether
 * every table has the source's rows on the destination.
 */
public final class TablesBench {

    private static final String DB = "many";

    private final int tables;
    private final int partitioned;
    private final int jobs;
    private final Path jar;
    private final List<String> jvm;

    private TablesBench(Map<String, String> options) {
        tables = Integer.parseInt(options.getOrDefault("tables", "1800"));
        partitioned = Integer.parseInt(options.getOrDefault("partitioned", "20"));
        jobs = Integer.parseInt(options.getOrDefault("jobs", "2"));
        jar = Path.of(options.getOrDefault("jar", "target/pgferry.jar"));
        jvm = List.of(options.getOrDefault("jvm", OverviewBench.DOCKERFILE_JVM_OPTIONS).split(" "));
    }

    public static void main(String[] args) throws Exception {
        new TablesBench(OverviewBench.options(args)).run();
    }

    private void run() throws Exception {
        CopyBench.say("starting PostgreSQL 15 (source) and 18 (destination) on 127.0.0.1 ...");
        try (EmbeddedPostgres source = EmbeddedPostgres.start(15, UUID.randomUUID().toString(), Map.of());
                EmbeddedPostgres destination = EmbeddedPostgres.start(18, UUID.randomUUID().toString(), Map.of())) {
            build(source);
            String expected = counts(source);
            CopyBench.say("source: %s tables with rows, %s", CopyBench.list(source, DB, "SELECT count(*) FROM pg_class "
                    + "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace").getFirst(),
                    CopyBench.list(source, DB, "SELECT pg_size_pretty(pg_database_size(current_database()))").getFirst());
            List<String> lines = new ArrayList<>();
            lines.add(pgferry(source, destination, expected));
            CopyBench.dropCopy(source, destination, DB);
            lines.add(pgcopydb(source, destination, expected));
            System.out.println();
            System.out.printf("tables benchmark: %d plain tables and %d partitioned tables of 10 partitions, %d jobs; "
                    + "%d cores%n", tables, partitioned, jobs, Runtime.getRuntime().availableProcessors());
            lines.forEach(System.out::println);
        }
    }

    /**
     * Plain tables with a key and an index: one in a hundred of 100,000 rows, one in ten of 5,000,
     * the rest of 100; partitioned tables of 10 range partitions with 1,000 rows each.
     */
    private void build(EmbeddedPostgres source) throws Exception {
        CopyBench.execute(source, "postgres", "CREATE DATABASE " + DB);
        CopyBench.say("creating %d tables and %d partitioned tables ...", tables, partitioned);
        CopyBench.execute(source, DB, """
                DO $$
                BEGIN
                  FOR i IN 1..%d LOOP
                    EXECUTE format('CREATE TABLE %%I (id bigint PRIMARY KEY, at timestamptz NOT NULL, note text)',
                                   'table_' || i);
                    EXECUTE format('CREATE INDEX ON %%I (at)', 'table_' || i);
                    EXECUTE format('INSERT INTO %%I SELECT g, now() - g * interval ''1 s'', md5(g::text) '
                                   || 'FROM generate_series(1, %%s) g', 'table_' || i,
                                   CASE WHEN i %% 100 = 0 THEN 100000 WHEN i %% 10 = 0 THEN 5000 ELSE 100 END);
                  END LOOP;
                  FOR i IN 1..%d LOOP
                    EXECUTE format('CREATE TABLE %%I (id bigint, at timestamptz NOT NULL, PRIMARY KEY (id)) '
                                   || 'PARTITION BY RANGE (id)', 'parted_' || i);
                    FOR p IN 0..9 LOOP
                      EXECUTE format('CREATE TABLE %%I PARTITION OF %%I FOR VALUES FROM (%%s) TO (%%s)',
                                     'parted_' || i || '_' || p, 'parted_' || i, p * 1000, (p + 1) * 1000);
                    END LOOP;
                    EXECUTE format('INSERT INTO %%I SELECT g, now() FROM generate_series(0, 9999) g', 'parted_' || i);
                  END LOOP;
                END $$""".formatted(tables, partitioned), "VACUUM ANALYZE");
    }

    /** Every table with rows and its count, in one query (one line per table, in order). */
    private static String counts(EmbeddedPostgres server) throws Exception {
        return String.join("\n", CopyBench.list(server, DB, """
                SELECT c.relname || ' ' || (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',
                       n.nspname, c.relname), false, true, '')))[1]::text
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY c.relname"""));
    }

    private String pgferry(EmbeddedPostgres source, EmbeddedPostgres destination, String expected) throws Exception {
        Path log = Path.of("target", "bench", "tables-pgferry.log");
        CopyBench.Running running = CopyBench.start(jar, jvm, source, destination, DB, Map.of("COPY_WORKERS",
                Integer.toString(jobs), "COPY_MAX_RATE", "0"), null, log);
        Process pgferry = running.process();
        BenchClient client = CopyBench.client(running.base());
        try {
            CopyBench.await(pgferry, () -> "PLANNED".equals(CopyBench.phase(client)), Duration.ofMinutes(5));
            Duration cpuBefore = pgferry.info().totalCpuDuration().orElse(Duration.ZERO);
            Instant start = Instant.now();
            CopyBench.start(client);
            long peakRss = 0;
            Instant deadline = Instant.now().plus(Duration.ofMinutes(60));
            while (!CopyBench.streaming(client)) {
                if (!pgferry.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("pgferry did not reach STREAMING; see " + log);
                }
                peakRss = Math.max(peakRss, BenchClient.memory(pgferry.pid()).get("VmRSS"));
                Thread.sleep(500);
            }
            double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            double cpu = pgferry.info().totalCpuDuration().orElse(Duration.ZERO).minus(cpuBefore).toMillis() / 1000.0;
            String equal = counts(destination).equals(expected) ? "every table has the source's rows"
                    : "ROWS DIFFER";
            client.logIn();
            List<Long> page = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                page.add(client.timed("/mappings/bench/database?name=" + DB, false));
            }
            page.sort(Long::compare);
            Map<String, Long> memory = BenchClient.memory(pgferry.pid());
            return String.format("pgferry snapshot: %.1f s from start to STREAMING (%s); CPU %.1f s; RSS peak while "
                    + "copying %d MB, VmHWM %d MB; database page (%s tables, logged in, 20 requests): median %.0f ms, "
                    + "max %.0f ms", seconds, equal, cpu, peakRss / 1024, memory.get("VmHWM") / 1024,
                    expected.lines().count(), page.get(page.size() / 2) / 1000.0, page.getLast() / 1000.0);
        } finally {
            pgferry.destroy();
            pgferry.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private String pgcopydb(EmbeddedPostgres source, EmbeddedPostgres destination, String expected) throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("bench-pgcopydb-");
        Instant start = Instant.now();
        CopyBench.execute(destination, "postgres", "CREATE DATABASE " + DB);
        CopyBench.tool(null, "pgcopydb", "clone", "--source", uri(source), "--target", uri(destination),
                "--table-jobs", Integer.toString(jobs), "--index-jobs", Integer.toString(jobs), "--dir",
                dir.toString(), "--restart");
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        return String.format("pgcopydb clone: %.1f s (%s)", seconds, counts(destination).equals(expected)
                ? "every table has the source's rows" : "ROWS DIFFER");
    }

    private static String uri(EmbeddedPostgres server) {
        return "postgres://" + server.superuser() + ":" + server.password() + "@" + server.host() + ":"
                + server.port() + "/" + DB;
    }
}
