package dev.pgferry.cutover;

import dev.pgferry.reports.LastReports;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.Identifiers;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Sets every sequence of a destination database from the source (all of them, not only those a
 * column owns): logical replication carries rows, never sequence values. Run at cutover on the
 * frozen source; safe to run earlier and again, as a value is never moved back. An optional
 * margin adds that many increments, for writes that may still reach the source.
 */
@Component
public class SequenceSync {

    static final String SEQUENCES = """
            SELECT schemaname::text AS schema, sequencename::text AS name, last_value, increment_by, min_value,
                   max_value,
                   has_sequence_privilege(quote_ident(schemaname) || '.' || quote_ident(sequencename), 'SELECT')
                       AS readable
            FROM pg_sequences
            WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\\\\_%'
            ORDER BY 1, 2""";

    private final PgConnector connector;
    private final Clock clock;
    private final LastReports<SequenceReport> last = new LastReports<>();
    private final LastReports<SequenceReport> lastBack = new LastReports<>();

    public SequenceSync(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /** One sequence: the source's last value, the destination's before and after, and why when unchanged. */
    public record SequenceChange(String schema, String name, Long sourceValue, Long before, Long after,
            String note) {
    }

    /** The outcome for one database; error set when it could not run at all. */
    public record SequenceReport(String database, Instant at, long margin, String actor,
            List<SequenceChange> sequences, String error) {

        public SequenceReport {
            sequences = List.copyOf(sequences);
        }

        public long changed() {
            return sequences.stream().filter(s -> s.after() != null && !s.after().equals(s.before())).count();
        }
    }

    record Seq(String schema, String name, Long lastValue, long increment, long min, long max,
            boolean readable) {
    }

    /** Which way the values go: from the source to the destination (cutover), or back (turned around). */
    public enum Direction {
        FORWARD("source", "destination"), BACK("destination", "source");

        private final String from;
        private final String to;

        Direction(String from, String to) {
            this.from = from;
            this.to = to;
        }
    }

    public SequenceReport run(Mapping mapping, String database, long margin, String actor) {
        return run(mapping, database, margin, actor, Direction.FORWARD);
    }

    /**
     * Sets every sequence of the source database from the destination's (never moving one back):
     * while the mapping is turned around the applications use the destination's sequences, and
     * going back must not hand out values used there.
     */
    public SequenceReport runBack(Mapping mapping, String database, String actor) {
        return run(mapping, database, 0, actor, Direction.BACK);
    }

    /** The last values set back on the source database since pgferry started, or null. */
    public SequenceReport lastBack(String mapping, String database) {
        return lastBack.lastOrNull(mapping, database);
    }

    private SequenceReport run(Mapping mapping, String database, long margin, String actor, Direction direction) {
        SequenceReport report;
        boolean forward = direction == Direction.FORWARD;
        try (Connection source = connector.act(forward ? mapping.source() : mapping.destination(), database);
                Connection destination = connector.act(forward ? mapping.destination() : mapping.source(),
                        database)) {
            Map<String, Seq> there = new LinkedHashMap<>();
            read(Jdbc.over(destination)).forEach(s -> there.put(s.schema() + "." + s.name(), s));
            JdbcClient target = Jdbc.over(destination);
            List<SequenceChange> changes = new ArrayList<>();
            for (Seq seq : read(Jdbc.over(source))) {
                changes.add(apply(target, seq, there.get(seq.schema() + "." + seq.name()), margin, direction));
            }
            report = new SequenceReport(database, clock.instant(), margin, actor, changes, null);
        } catch (SQLException | DataAccessException e) {
            report = new SequenceReport(database, clock.instant(), margin, actor, List.of(), PgErrors.describe(e));
        }
        (forward ? last : lastBack).keep(mapping.name(), database, report);
        return report;
    }

    /** The last report of that database since pgferry started, or null. */
    public SequenceReport last(String mapping, String database) {
        return last.lastOrNull(mapping, database);
    }

    private static SequenceChange apply(JdbcClient destination, Seq source, Seq current, long margin,
            Direction direction) {
        if (current == null) {
            return new SequenceChange(source.schema(), source.name(), source.lastValue(), null, null,
                    "missing on the " + direction.to + ": copy the schema change first");
        }
        if (!source.readable()) {
            return new SequenceChange(source.schema(), source.name(), null, current.lastValue(),
                    current.lastValue(), "the " + direction.from + " user may not read it: grant SELECT on it or "
                            + "pg_read_all_data");
        }
        if (source.lastValue() == null) {
            return new SequenceChange(source.schema(), source.name(), null, current.lastValue(),
                    current.lastValue(), "never used on the " + direction.from);
        }
        boolean ascending = current.increment() > 0;
        long target = target(source.lastValue(), margin, current);
        if (current.lastValue() != null && (ascending ? current.lastValue() >= target : current.lastValue() <= target)) {
            return new SequenceChange(source.schema(), source.name(), source.lastValue(), current.lastValue(),
                    current.lastValue(), "already at or past the " + direction.from + "'s value: never moved back");
        }
        destination.sql("SELECT setval(?::regclass, ?, true)")
                .param(Identifiers.qualified(source.schema(), source.name())).param(target).query(Long.class)
                .single();
        return new SequenceChange(source.schema(), source.name(), source.lastValue(), current.lastValue(), target,
                null);
    }

    /** The source's value plus the margin's increments, within the destination sequence's bounds. */
    static long target(long sourceValue, long margin, Seq sequence) {
        long value;
        try {
            value = Math.addExact(sourceValue, Math.multiplyExact(margin, sequence.increment()));
        } catch (ArithmeticException overflow) {
            value = sequence.increment() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return Math.max(sequence.min(), Math.min(sequence.max(), value));
    }

    private static List<Seq> read(JdbcClient jdbc) {
        return jdbc.sql(SEQUENCES).query((rs, n) -> {
            long value = rs.getLong("last_value");
            Long lastValue = rs.wasNull() ? null : value;
            return new Seq(rs.getString("schema"), rs.getString("name"), lastValue, rs.getLong("increment_by"),
                    rs.getLong("min_value"), rs.getLong("max_value"), rs.getBoolean("readable"));
        }).list();
    }
}
