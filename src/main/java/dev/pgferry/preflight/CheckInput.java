package dev.pgferry.preflight;

import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.SourceFacts;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.SourceReach;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the checks look at: the mapping, this database's observation, both servers, the major
 * version of the pg_dump on this host (empty when missing), another mapping already writing
 * the same destination database (null when none), whether the destination server reaches
 * the source where its subscriptions will connect, and (ALLOW_REVERSE; null otherwise) whether the
 * source reaches the destination where a reverse subscription would.
 */
public record CheckInput(Mapping mapping, ObservedDatabase database, ObservedInstance source,
        ObservedInstance destination, OptionalInt pgDumpMajor, String claimedBy, SourceReach reach,
        SourceReach reverseReach) {

    /** Without the reverse direction's probe (a mapping that may not turn around). */
    public CheckInput(Mapping mapping, ObservedDatabase database, ObservedInstance source,
            ObservedInstance destination, OptionalInt pgDumpMajor, String claimedBy, SourceReach reach) {
        this(mapping, database, source, destination, pgDumpMajor, claimedBy, reach, null);
    }

    /** Without a probe of the subscription's path (nothing said of it). */
    public CheckInput(Mapping mapping, ObservedDatabase database, ObservedInstance source,
            ObservedInstance destination, OptionalInt pgDumpMajor, String claimedBy) {
        this(mapping, database, source, destination, pgDumpMajor, claimedBy, SourceReach.unknown("not probed"));
    }

    String db() {
        return database.database();
    }

    ReplicationNames names() {
        return ReplicationNames.of(mapping.name(), database.database());
    }

    Optional<ServerFacts> sourceFacts() {
        return Optional.ofNullable(source.facts());
    }

    Optional<ServerFacts> destinationFacts() {
        return Optional.ofNullable(destination.facts());
    }

    /** The source database's facts, limited to the tables the mapping's scope moves. */
    Optional<SourceFacts> databaseFacts() {
        return database.sourceFacts().map(f -> f.within(mapping.scope()));
    }

    /** The variable prefix of this mapping, for fixes that name a setting. */
    String mappingVariable(String suffix) {
        return "PGFERRY_MAPPINGS_" + mapping.name().toUpperCase().replace('-', '_') + "_" + suffix;
    }

    static String instanceVariables(String instance) {
        return instanceVariable(instance, "*");
    }

    static String instanceVariable(String instance, String suffix) {
        return "PGFERRY_INSTANCES_" + instance.toUpperCase().replace('-', '_') + "_" + suffix;
    }

    static String mappingVariable(String mapping, String suffix) {
        return "PGFERRY_MAPPINGS_" + mapping.toUpperCase().replace('-', '_') + "_" + suffix;
    }
}
