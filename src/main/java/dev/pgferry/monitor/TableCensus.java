package dev.pgferry.monitor;

import dev.pgferry.monitor.ObservedDatabase.TableSyncProgress;
import dev.pgferry.monitor.ObservedDatabase.Partition;
import dev.pgferry.monitor.ObservedDatabase.Sequence;
import dev.pgferry.monitor.ObservedDatabase.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The tables, partitions and sequences of one side of a database with their estimates, and
 * their merge into one list shown per table: source order, destination figures beside.
 */
record TableCensus(List<Table> tables, Map<String, List<Partition>> partitionsByRoot, Map<String, Long> sequences,
        Map<String, TableSyncProgress> copies) {

    static final TableCensus EMPTY = new TableCensus(List.of(), Map.of(), Map.of(), Map.of());

    /** The census of a side; copy progress only where copies run into (the destination), sizes only on the source. */
    static TableCensus read(JdbcClient jdbc, boolean withCopies) {
        // one pass over every table and partition: top-level tables sum their partitions
        Map<String, long[]> totals = new LinkedHashMap<>();
        Map<String, Boolean> partitioned = new LinkedHashMap<>();
        Map<String, List<Partition>> partitions = new LinkedHashMap<>();
        jdbc.sql(withCopies ? ObservationQueries.RELATIONS_WITHOUT_SIZE : ObservationQueries.RELATIONS)
                .query(rs -> {
            String root = key(rs.getString("root_schema"), rs.getString("root_name"));
            long[] sums = totals.computeIfAbsent(root, k -> new long[2]);
            sums[0] += rs.getLong("rows");
            sums[1] += rs.getLong("bytes");
            partitioned.put(root, rs.getBoolean("partitioned"));
            if (rs.getBoolean("partition") && rs.getBoolean("leaf")) {
                partitions.computeIfAbsent(root, k -> new ArrayList<>()).add(new Partition(rs.getString("schema"),
                        rs.getString("name"), rs.getLong("rows"), null));
            }
        });
        List<Table> tables = new ArrayList<>();
        totals.forEach((root, sums) -> tables.add(new Table(schema(root), name(root), partitioned.get(root), false,
                null, sums[0], null, List.of(), sums[1], Optional.empty())));
        Map<String, Long> sequences = new LinkedHashMap<>();
        jdbc.sql(ObservationQueries.SEQUENCES).query(rs -> {
            long value = rs.getLong("last_value");
            sequences.put(key(rs.getString("schema"), rs.getString("name")), rs.wasNull() ? null : value);
        });
        Map<String, TableSyncProgress> copies = new LinkedHashMap<>();
        if (withCopies) {
            jdbc.sql(ObservationQueries.COPY_PROGRESS).query(rs -> {
                copies.put(key(rs.getString("schema"), rs.getString("name")),
                        new TableSyncProgress(rs.getLong("bytes_processed"), rs.getLong("tuples_processed")));
            });
        }
        return new TableCensus(tables, partitions, sequences, copies);
    }

    /** Source tables in order, each with its destination estimate, sync state and partitions. */
    static List<Table> merge(TableCensus source, TableCensus destination, Map<String, String> states,
            Set<String> published) {
        Map<String, Table> there = new LinkedHashMap<>();
        destination.tables.forEach(t -> there.put(key(t.schema(), t.name()), t));
        List<Table> merged = new ArrayList<>();
        for (Table table : source.tables) {
            String key = key(table.schema(), table.name());
            Table other = there.get(key);
            merged.add(new Table(table.schema(), table.name(), table.partitioned(), published.contains(key),
                    states.get(key), table.sourceRows(), other == null ? null : other.sourceRows(),
                    partitions(source.partitionsByRoot.getOrDefault(key, List.of()),
                            destination.partitionsByRoot.getOrDefault(key, List.of())), table.sourceBytes(),
                    Optional.ofNullable(destination.copies.get(key))));
        }
        return merged;
    }

    /** Every sequence of either side, source order first. */
    static List<Sequence> sequences(TableCensus source, TableCensus destination) {
        Map<String, Sequence> merged = new LinkedHashMap<>();
        source.sequences.forEach((key, value) -> merged.put(key, new Sequence(schema(key), name(key), value,
                destination.sequences.get(key))));
        destination.sequences.forEach((key, value) -> merged.putIfAbsent(key, new Sequence(schema(key), name(key),
                null, value)));
        return List.copyOf(merged.values());
    }

    /** Partitions by name on both sides: the destination may be partitioned differently. */
    private static List<Partition> partitions(List<Partition> source, List<Partition> destination) {
        Map<String, Partition> merged = new LinkedHashMap<>();
        source.forEach(p -> merged.put(key(p.schema(), p.name()), p));
        for (Partition p : destination) {
            Partition mine = merged.get(key(p.schema(), p.name()));
            merged.put(key(p.schema(), p.name()), new Partition(p.schema(), p.name(),
                    mine == null ? null : mine.sourceRows(), p.sourceRows()));
        }
        return List.copyOf(merged.values());
    }

    static String key(String schema, String name) {
        return schema + "\u0000" + name;
    }

    private static String schema(String key) {
        return key.substring(0, key.indexOf('\u0000'));
    }

    private static String name(String key) {
        return key.substring(key.indexOf('\u0000') + 1);
    }
}
