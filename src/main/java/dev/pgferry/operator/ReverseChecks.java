package dev.pgferry.operator;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.Drain;
import dev.pgferry.cutover.Freeze;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.monitor.ObservedDatabase.Table;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * What turning a mapping around needs, checked when an operator asks (nothing changes on a
 * refusal): the source frozen by pgferry and every database drained past its freeze point, a
 * verification of every database since the freeze with every table equal (unless forced), no
 * database turned around or complete already, and on the destination a key or replica identity
 * for every replicated table (the reverse direction carries updates and deletes back by it).
 */
@Component
class ReverseChecks {

    /** Replicated tables of the destination database that cannot carry an UPDATE or DELETE to a subscriber. */
    static final String WITHOUT_IDENTITY = """
            SELECT n.nspname AS schema, c.relname AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
              AND (c.relreplident = 'n'
                   OR c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i
                                                            WHERE i.indrelid = c.oid AND i.indisprimary)
                   OR c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i
                                                            WHERE i.indrelid = c.oid AND i.indisreplident))""";

    private final Freeze freeze;
    private final Drain drain;
    private final Verifier verifier;
    private final PgConnector connector;

    ReverseChecks(Freeze freeze, Drain drain, Verifier verifier, PgConnector connector) {
        this.freeze = freeze;
        this.drain = drain;
        this.verifier = verifier;
        this.connector = connector;
    }

    /** Why the mapping cannot be turned around now; empty when it can. */
    List<String> refusals(Mapping mapping, MappingStatus status, List<DatabaseStatus> databases, boolean force) {
        List<String> refusals = new ArrayList<>();
        Instant frozenAt;
        try {
            Freeze.FreezeState state = freeze.state(mapping);
            if (!state.frozen()) {
                return List.of("the source is not frozen: freeze it first (the applications must stop writing there "
                        + "before the destination's changes may flow back)");
            }
            frozenAt = state.frozenAt();
        } catch (SQLException e) {
            return List.of("the freeze's records could not be read on source " + mapping.source().name() + ": "
                    + PgErrors.describe(e));
        }
        for (DatabaseStatus d : databases) {
            String name = d.database();
            if (d.phase() == Phase.SWITCHED || d.observed().reverse().isPresent()) {
                refusals.add(name + " is turned around already");
            } else if (d.phase() == Phase.COMPLETE) {
                refusals.add(name + " is complete: its replication is gone");
            } else if (drain.point(mapping.name(), name).isEmpty()) {
                refusals.add(name + " has no freeze point: drain first");
            } else if (!Boolean.TRUE.equals(drain.drained(mapping.name(), d.observed()))) {
                refusals.add(name + " is not drained past its freeze point yet");
            } else if (!force && !verifiedSince(mapping, name, frozenAt)) {
                refusals.add(name + " has no verification since the freeze with every table equal: verify first, "
                        + "or force it with a second confirmation");
            }
        }
        refusals.addAll(withoutIdentity(mapping, databases));
        return refusals;
    }

    private boolean verifiedSince(Mapping mapping, String database, Instant frozenAt) {
        return verifier.last(mapping.name(), database).map(r -> r.allEqual() && r.requestedAt() != null
                && !r.requestedAt().isBefore(frozenAt)).orElse(false);
    }

    private List<String> withoutIdentity(Mapping mapping, List<DatabaseStatus> databases) {
        List<String> refusals = new ArrayList<>();
        for (DatabaseStatus d : databases) {
            Set<String> replicated = d.observed().tables().stream().filter(Table::published)
                    .map(t -> t.schema() + "." + t.name()).collect(Collectors.toSet());
            try (Connection c = connector.act(mapping.destination(), d.database())) {
                List<String> without = Jdbc.over(c).sql(WITHOUT_IDENTITY)
                        .query((rs, n) -> rs.getString("schema") + "." + rs.getString("name")).list().stream()
                        .filter(replicated::contains).sorted().toList();
                if (!without.isEmpty()) {
                    refusals.add(d.database() + ": table(s) without a primary key or replica identity on the "
                            + "destination cannot carry updates and deletes back: " + String.join(", ", without)
                            + " (give them a key or REPLICA IDENTITY FULL there, or exclude them)");
                }
            } catch (SQLException e) {
                refusals.add(d.database() + ": the destination's tables could not be read: " + PgErrors.describe(e));
            }
        }
        return refusals;
    }
}
