package dev.pgferry.copy;

import dev.pgferry.config.Instance;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Where each table's rows came from after a resumed copy ('snapshot': kept from the interrupted
 * copy; 'table-sync': copied by table synchronization), for the database page. Read from the
 * destination's records once per resume, not at every page view.
 */
@Component
public class CopyOrigins {

    private final CopyRecords records;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Instant resumedAt, Map<String, String> origins) {
    }

    public CopyOrigins(CopyRecords records) {
        this.records = records;
    }

    /** Origins by "schema.name" (unquoted) of each table the copy filled; empty when they cannot be read now. */
    public Map<String, String> of(Instance destination, String mapping, String database, Instant resumedAt) {
        String key = mapping + "/" + database;
        Cached cached = cache.get(key);
        if (cached != null && cached.resumedAt().equals(resumedAt)) {
            return cached.origins();
        }
        try {
            Map<String, String> origins = new HashMap<>();
            records.read(destination, mapping, database).ifPresent(r -> r.tables().forEach((table, t) ->
                    origins.put(table.replace('\u0000', '.'), t.origin())));
            cache.put(key, new Cached(resumedAt, Map.copyOf(origins)));
            return origins;
        } catch (SQLException e) {
            return Map.of();
        }
    }
}
