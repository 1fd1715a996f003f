package dev.pgferry.monitor;

import dev.pgferry.reports.DatabaseKey;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.monitor.ObservedDatabase.Slot;
import dev.pgferry.monitor.ObservedDatabase.Subscription;
import dev.pgferry.ownership.Ownership;
import dev.pgferry.ownership.UserObjects;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.SubscriptionConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads the catalogs of both sides, read-only, into immutable observations. */
@Component
public class DatabaseObserver {

    static final Duration SETTLED_FACTS_MAX_AGE = Duration.ofMinutes(1);

    private final PgConnector connector;
    private final Clock clock;
    private final SubscriptionConnections connections;
    private final Map<DatabaseKey, TimedFacts> settledFacts = new ConcurrentHashMap<>();

    public DatabaseObserver(PgConnector connector, Clock clock, SubscriptionConnections connections) {
        this.connector = connector;
        this.clock = clock;
        this.connections = connections;
    }

    /** Databases and server-wide facts of a server and, on a destination, pgferry's markers on it. */
    public ObservedInstance observeInstance(Instance instance, boolean readMarkers) {
        try (Connection connection = connector.observe(instance, instance.maintenanceDatabase())) {
            JdbcClient jdbc = Jdbc.over(connection);
            ServerFacts facts = ServerFactsReader.server(connection, jdbc);
            Map<String, DatabaseInfo> databases = ServerFactsReader.databases(jdbc);
            if (!readMarkers) {
                return new ObservedInstance(instance.name(), null, facts, databases, Set.of(), Set.of());
            }
            ControlRecordReader.Records records = ControlRecordReader.read(connection, jdbc, instance.user(),
                    instance.name());
            return new ObservedInstance(instance.name(), null, facts, databases, records.completions(),
                    records.started(), records.error(), records.owned(), records.reversals(), records.rollbacks(),
                    records.copies());
        } catch (SQLException | DataAccessException e) {
            return ObservedInstance.unreachable(instance.name(), instance.name() + " (" + instance.address()
                    + ") is unreachable: " + PgErrors.describe(e));
        }
    }

    /**
     * The pre-flight facts of a source database: read every tick until replication is set up (in
     * run mode), then once every {@link #SETTLED_FACTS_MAX_AGE} or up to half as long again, at random
     * (they guard creation, and a streaming database's tick should cost the source as little as
     * possible; spread, so that databases that began streaming together are not all read again
     * in the same tick).
     */
    private SourceFacts sourceFacts(Mapping mapping, String database, JdbcClient jdbc, ReplicationNames names,
            boolean settled, boolean restoredByNonSuperuser) {
        DatabaseKey key = DatabaseKey.of(mapping.name(), database);
        Instant now = clock.instant();
        TimedFacts cached = settledFacts.get(key);
        if (settled && cached != null && cached.readAgainAt().isAfter(now)) {
            return cached.facts();
        }
        SourceFacts facts = ServerFactsReader.source(jdbc, names.publication(), restoredByNonSuperuser);
        if (settled) {
            long spread = ThreadLocalRandom.current().nextLong(SETTLED_FACTS_MAX_AGE.toMillis() / 2 + 1);
            settledFacts.put(key, new TimedFacts(now.plus(SETTLED_FACTS_MAX_AGE).plusMillis(spread), facts));
        } else {
            settledFacts.remove(key);
        }
        return facts;
    }

    private record TimedFacts(Instant readAgainAt, SourceFacts facts) {
    }

    /** One database migration, given what the tick already saw of both servers. */
    public ObservedDatabase observeDatabase(Mapping mapping, String database, ObservedInstance source,
            ObservedInstance destination) {
        ReplicationNames names = ReplicationNames.of(mapping.name(), database);
        String sourceError = source.error();
        String destinationError = destination.error();
        boolean sourceExists = source.databases().containsKey(database);
        boolean destinationExists = destination.databases().containsKey(database);
        boolean publication = false;
        boolean ddlCapture = false;
        Optional<Slot> slot = Optional.empty();
        Optional<SourceFacts> facts = Optional.empty();
        TableCensus sourceCensus = TableCensus.EMPTY;
        boolean dataOnly = mapping.content() == Mapping.Content.DATA_ONLY;
        List<ColumnFacts.Column> sourceColumns = List.of();
        Set<String> published = Set.of();
        boolean reversed = destination.reversed(mapping.name(), database);
        ReplicationNames back = ReplicationNames.reverse(mapping.name(), database);
        Optional<Subscription> reverseSubscription = Optional.empty();
        boolean reversePublication = false;
        Optional<Slot> reverseSlot = Optional.empty();
        if (sourceError == null && sourceExists) {
            try (Connection connection = connector.observe(mapping.source(), database)) {
                JdbcClient jdbc = Jdbc.over(connection);
                String capture = ReplicationNames.ddlCapture(mapping.name(), database).name();
                boolean[] found = jdbc.sql(ObservationQueries.PUBLICATION_AND_CAPTURE).param(names.publication())
                        .param(capture).param(capture).query((rs, n) -> new boolean[] {rs.getBoolean("publication"),
                                rs.getBoolean("capture")}).single();
                publication = found[0];
                ddlCapture = found[1];
                slot = slot(jdbc, names.slot());
                if (reversed) {
                    reverseSubscription = subscription(jdbc, back.subscription());
                }
                sourceCensus = TableCensus.read(jdbc, false);
                Set<String> listed = new HashSet<>();
                jdbc.sql(ObservationQueries.PUBLISHED_TABLES).param(names.publication()).query(rs -> {
                    listed.add(TableCensus.key(rs.getString("schema"), rs.getString("name")));
                });
                published = listed;
                // settled once replicating, and while only watched: plan mode acts on nothing they guard
                boolean settled = publication && slot.isPresent() || (mapping.mode() == Mode.PLAN
                        && !destination.startedMappings().contains(mapping.name()));
                // who owns what, and what only a superuser may create, matters only to a destination
                // user that is none (a managed service's); read when the destination was not seen
                boolean restoredByNonSuperuser = destination.facts() == null
                        || !destination.facts().user().superuser();
                facts = Optional.of(sourceFacts(mapping, database, jdbc, names, settled, restoredByNonSuperuser));
                if (dataOnly) {
                    sourceColumns = ServerFactsReader.columns(jdbc);
                }
            } catch (SQLException | DataAccessException e) {
                sourceError = "source database " + database + ": " + PgErrors.describe(e);
            }
        }
        Optional<Subscription> subscription = Optional.empty();
        Map<String, String> syncStates = Map.of();
        TableCensus destinationCensus = TableCensus.EMPTY;
        Optional<ColumnFacts> columnFacts = Optional.empty();
        long userObjects = -1;
        if (destinationError == null && destinationExists) {
            try (Connection connection = connector.observe(mapping.destination(), database)) {
                JdbcClient jdbc = Jdbc.over(connection);
                if (reversed) {
                    reversePublication = jdbc.sql(ObservationQueries.PUBLICATION_EXISTS).param(back.publication())
                            .query(Boolean.class).single();
                    reverseSlot = slot(jdbc, back.slot());
                    if (published.isEmpty()) {
                        // the forward publication is gone: the reverse one lists the replicated tables
                        Set<String> listed = new HashSet<>();
                        jdbc.sql(ObservationQueries.PUBLISHED_TABLES).param(back.publication()).query(rs -> {
                            listed.add(TableCensus.key(rs.getString("schema"), rs.getString("name")));
                        });
                        published = listed;
                    }
                }
                subscription = subscription(jdbc, names.subscription())
                        .map(s -> new Subscription(s.oid(), s.enabled(), s.applyWorkerRunning(), s.applyErrors(),
                                s.syncErrors(), connections.current(mapping, database, names.subscription(), s.oid(),
                                        jdbc), connections.updatedAt(mapping, database, names.subscription())
                                        .orElse(null)));
                if (subscription.isPresent()) {
                    Map<String, String> states = new LinkedHashMap<>();
                    jdbc.sql(ObservationQueries.SUBSCRIPTION_TABLES).param(subscription.get().oid()).query(rs -> {
                        states.put(TableCensus.key(rs.getString("schema"), rs.getString("name")),
                                rs.getString("state"));
                    });
                    syncStates = states;
                }
                destinationCensus = TableCensus.read(jdbc, true);
                if (subscription.isEmpty()) {
                    // what may be dropped or taken over is decided before replication starts
                    userObjects = jdbc.sql(UserObjects.COUNT).query(Long.class).single();
                }
                if (dataOnly) {
                    List<ColumnFacts.Column> columns = ServerFactsReader.columns(jdbc);
                    columnFacts = Optional.of(new ColumnFacts(sourceColumns, columns, subscription.isPresent()
                            ? Set.of() : ServerFactsReader.nonEmptyTables(jdbc, columns), ServerFactsReader.keyedTables(jdbc)));
                }
            } catch (SQLException | DataAccessException e) {
                destinationError = "destination database " + database + ": " + PgErrors.describe(e);
            }
        }
        return new ObservedDatabase(database, clock.instant(), sourceError, destinationError, sourceExists,
                destinationExists, destinationCensus.tables().size(), publication, slot, subscription,
                TableCensus.merge(sourceCensus, destinationCensus, syncStates, published),
                destination.completed(mapping.name(), database), facts,
                TableCensus.sequences(sourceCensus, destinationCensus), columnFacts,
                ownership(mapping, database, destination, destinationError == null ? userObjects : -1),
                reversed ? Optional.of(new ObservedDatabase.Reverse(reversePublication, reverseSlot,
                        reverseSubscription)) : Optional.empty(), ddlCapture);
    }

    /** A logical slot on the server the connection is to, with how far its consumer is behind. */
    private static Optional<Slot> slot(JdbcClient jdbc, String name) {
        return jdbc.sql(ObservationQueries.SLOT).param(name).query((rs, n) -> {
            double seconds = rs.getDouble("lag_seconds");
            // read right after its column: wasNull speaks of the last one read
            Double lagSeconds = rs.wasNull() ? null : seconds;
            return new Slot(rs.getBoolean("active"), rs.getString("wal_status"), rs.getLong("lag"),
                    rs.getLong("retained"), lagSeconds, rs.getLong("confirmed_flush"));
        }).optional();
    }

    /** A subscription in the connection's database, with its worker and error counters. */
    private static Optional<Subscription> subscription(JdbcClient jdbc, String name) {
        return jdbc.sql(ObservationQueries.SUBSCRIPTION).param(name)
                .query((rs, n) -> new Subscription(rs.getLong("oid"), rs.getBoolean("subenabled"),
                        rs.getBoolean("apply_running"), rs.getLong("apply_errors"), rs.getLong("sync_errors")))
                .optional();
    }

    private static Ownership ownership(Mapping mapping, String database, ObservedInstance destination,
            long userObjects) {
        return Ownership.of(destination.databaseOid(database), destination.controlSchemaError() == null,
                destination.ownershipRecord(mapping.name(), database), mapping.adoptDatabases().contains(database),
                userObjects);
    }

}
