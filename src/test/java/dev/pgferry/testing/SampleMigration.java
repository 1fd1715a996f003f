package dev.pgferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgferry.demo.SampleSchema;
import dev.pgferry.demo.SampleWriter;
import dev.pgferry.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The setup and the end that the fault and migration tests share: one database of the sample
 * schema on the source, an application writing to it, and the migration's end as each of them
 * checks it (every row on the destination, pgferry's own verification agreeing, one slot,
 * publication and subscription, then complete with nothing of pgferry's left on either server).
 */
public final class SampleMigration {

    /** The sample schema's tables, schema-qualified. */
    public static final List<String> TABLES = Arrays.asList(SampleSchema.TABLES);

    private final EmbeddedPostgres source;
    private final EmbeddedPostgres destination;
    private final String mapping;
    private final String database;

    private SampleMigration(EmbeddedPostgres source, EmbeddedPostgres destination, String mapping, String database) {
        this.source = source;
        this.destination = destination;
        this.mapping = mapping;
        this.database = database;
    }

    /** The migration of {@code database} by {@code mapping}, between these servers. */
    public static SampleMigration of(EmbeddedPostgres source, EmbeddedPostgres destination, String mapping,
            String database) {
        return new SampleMigration(source, destination, mapping, database);
    }

    /** Creates the database on the source with the sample schema and {@code rows} orders. */
    public SampleMigration create(int rows) {
        Db.sampleDatabase(source, database, rows);
        return this;
    }

    /** An application writing to the source database every {@code pause}, for at most ten minutes. */
    public SampleWriter writer(Duration pause) {
        return new SampleWriter(source.jdbcUrl(database), source.superuser(), source.password(), pause,
                Duration.ofMinutes(10));
    }

    /**
     * What the servers show of the replication, for a failure's message: the subscription's table
     * states and workers, the source's slots and walsenders, each table's rows on both sides, and
     * the end of both servers' logs.
     */
    public String diagnosis() {
        StringBuilder out = new StringBuilder("\n--- diagnosis of ").append(database).append(" ---\n");
        section(out, "destination pg_subscription_rel", () -> Db.list(destination, database, String.class,
                "SELECT r.srrelid::regclass || ' ' || r.srsubstate || ' ' || coalesce(r.srsublsn::text, '-') "
                        + "FROM pg_subscription_rel r ORDER BY 1"));
        section(out, "destination pg_stat_subscription", () -> Db.list(destination, database, String.class,
                "SELECT subname || ' relid=' || coalesce(relid::regclass::text, '-') || ' pid=' || coalesce(pid::text, "
                        + "'-') || ' received=' || coalesce(received_lsn::text, '-') || ' latest_end=' || "
                        + "coalesce(latest_end_lsn::text, '-') FROM pg_stat_subscription"));
        section(out, "destination pg_stat_subscription_stats", () -> Db.list(destination, database, String.class,
                "SELECT subname || ' apply_errors=' || apply_error_count || ' sync_errors=' || sync_error_count "
                        + "FROM pg_stat_subscription_stats"));
        section(out, "source pg_replication_slots", () -> Db.list(source, database, String.class,
                "SELECT slot_name || ' active=' || active || ' confirmed=' || coalesce(confirmed_flush_lsn::text, '-')"
                        + " FROM pg_replication_slots ORDER BY 1"));
        for (String table : TABLES) {
            section(out, "rows of " + table, () -> List.of("source " + Db.query(source, database, Long.class,
                    "SELECT count(*) FROM " + table) + ", destination " + Db.query(destination, database, Long.class,
                    "SELECT count(*) FROM " + table)));
        }
        section(out, "destination log (end)", () -> tail(destination));
        section(out, "source log (end)", () -> tail(source));
        return out.toString();
    }

    private static List<String> tail(EmbeddedPostgres server) throws Exception {
        List<String> lines = server.serverLog().lines().toList();
        return lines.subList(Math.max(0, lines.size() - 60), lines.size());
    }

    private interface Lines {
        List<String> get() throws Exception;
    }

    private static void section(StringBuilder out, String title, Lines lines) {
        out.append("# ").append(title).append('\n');
        try {
            lines.get().forEach(line -> out.append("  ").append(line).append('\n'));
        } catch (Exception | AssertionError e) {
            out.append("  (could not read: ").append(e.getMessage()).append(")\n");
        }
    }

    /** Every table of the sample schema has the same rows on both sides now (no wait: the source is frozen and drained). */
    public void assertEveryTableEqual() {
        for (String table : TABLES) {
            assertThat(Db.fingerprint(destination, database, table)).as(table)
                    .isEqualTo(Db.fingerprint(source, database, table));
        }
    }

    /** Waits until every table of the sample schema has the same rows on both sides. */
    public void awaitEveryTableEqual() {
        Await.everyTableEqual(source, destination, database, TABLES);
    }

    /** Exactly one of each replication object of the migration: publication, slot, subscription. */
    public void assertOneOfEach() {
        assertThat(Db.publications(source, database)).as("exactly one publication").hasSize(1);
        assertThat(Db.list(source, "postgres", String.class, "SELECT slot_name::text FROM pg_replication_slots "
                + "WHERE slot_name LIKE ?", pattern())).as("exactly one slot").hasSize(1);
        assertThat(subscriptions()).as("exactly one subscription").hasSize(1);
    }

    /**
     * The cutover's steps after the freeze, through the API: the drain (asked again while a session
     * still holds a transaction id), until every database is drained, then the sequences set.
     */
    public void drainAndSetSequences(Pgferry app) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> app.api().post()
                .uri("/api/mappings/{m}/drain", mapping).retrieve().toBodilessEntity());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(app.mapping(mapping)
                .at("/databases/0/drained").asBoolean()).isTrue());
        app.api().post().uri("/api/mappings/{m}/sync-sequences", mapping).retrieve().toBodilessEntity();
    }

    /** The OIDs of the mapping's subscriptions on the destination (to tell whether one was made again). */
    public List<Long> subscriptions() {
        return Db.list(destination, "postgres", Long.class, "SELECT oid::bigint FROM pg_subscription "
                + "WHERE subname LIKE ?", pattern());
    }

    /**
     * The end of a migration whose source writer has stopped: every table equal, pgferry's own
     * verification agreeing, one of each replication object, then {@link #completeLeavingNothing}.
     */
    public void verifyAndComplete(Pgferry app) {
        awaitEveryTableEqual();
        PgferryVerification.everyTableEqual(app.api(), mapping);
        assertOneOfEach();
        completeLeavingNothing(app);
    }

    /**
     * Marks the mapping complete once READY again and waits until neither server keeps anything of
     * it: no slot, subscription or publication.
     */
    public void completeLeavingNothing(Pgferry app) {
        app.awaitPhase(mapping, "READY", Duration.ofMinutes(1));
        app.api().post().uri("/api/mappings/{m}/complete", mapping).retrieve().toBodilessEntity();
        app.awaitPhase(mapping, "COMPLETE", Duration.ofMinutes(1));
        awaitNothingLeft();
    }

    /** Waits (30 s at most) until neither server keeps a slot, subscription or publication of the mapping. */
    public void awaitNothingLeft() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Db.pgferryObjects(source, mapping)).isEmpty();
            assertThat(Db.pgferryObjects(destination, mapping)).isEmpty();
            assertThat(Db.publications(source, database)).isEmpty();
        });
    }

    private String pattern() {
        return "pgferry\\_" + mapping + "\\_%";
    }
}
