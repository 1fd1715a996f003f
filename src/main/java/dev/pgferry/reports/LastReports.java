package dev.pgferry.reports;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The last report of one kind per database (a verification, a sequence sync, an exact count,
 * a freeze point...), kept in memory: a restarted pgferry starts with none and the pages say
 * so. Safe for the loop, the steps beside it and the pages at once.
 */
public final class LastReports<R> {

    private final Map<DatabaseKey, R> last = new ConcurrentHashMap<>();

    public void keep(String mapping, String database, R report) {
        last.put(DatabaseKey.of(mapping, database), report);
    }

    /** Replaces the database's report with what {@code change} makes of it (null: none yet), atomically. */
    public R update(String mapping, String database, UnaryOperator<R> change) {
        return last.compute(DatabaseKey.of(mapping, database), (key, before) -> change.apply(before));
    }

    public void forget(String mapping, String database) {
        last.remove(DatabaseKey.of(mapping, database));
    }

    public Optional<R> last(String mapping, String database) {
        return Optional.ofNullable(last.get(DatabaseKey.of(mapping, database)));
    }

    /** The report, or null when none was kept. */
    public R lastOrNull(String mapping, String database) {
        return last.get(DatabaseKey.of(mapping, database));
    }
}
