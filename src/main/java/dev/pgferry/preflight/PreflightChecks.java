package dev.pgferry.preflight;

import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import java.util.ArrayList;
import java.util.List;

/** Pure checks over one observation: can this database migration go on? */
public final class PreflightChecks {

    private PreflightChecks() {
    }

    public static List<Check> evaluate(Mapping mapping, ObservedDatabase o) {
        List<Check> checks = new ArrayList<>();
        String db = o.database();
        checks.add(o.sourceError() == null
                ? Check.ok("source.reachable", "source " + mapping.source().name() + " answers")
                : Check.block("source.reachable", o.sourceError(), "Check the host, port, credentials and sslmode "
                        + "of PGFERRY_INSTANCES_" + env(mapping.source().name()) + "_* and that the server runs."));
        checks.add(o.destinationError() == null
                ? Check.ok("destination.reachable", "destination " + mapping.destination().name() + " answers")
                : Check.block("destination.reachable", o.destinationError(), "Check the host, port, credentials and "
                        + "sslmode of PGFERRY_INSTANCES_" + env(mapping.destination().name()) + "_* and that the "
                        + "server runs."));
        if (o.sourceError() == null) {
            checks.add(o.sourceDatabaseExists()
                    ? Check.ok("source.database", "database " + db + " exists on the source")
                    : Check.block("source.database", "database " + db + " does not exist on source "
                            + mapping.source().name(), "Remove it from PGFERRY_MAPPINGS_" + env(mapping.name())
                            + "_DATABASES or create it on the source."));
        }
        if (o.destinationError() == null) {
            boolean foreign = o.destinationDatabaseExists() && o.destinationTableCount() > 0
                    && !o.publicationExists() && o.subscription().isEmpty() && !o.completionRecorded();
            checks.add(foreign
                    ? Check.block("destination.database_empty", "database " + db + " already exists on destination "
                            + mapping.destination().name() + " and holds " + o.destinationTableCount() + " table(s)",
                            "Drop or rename that database on the destination, or leave " + db + " out of this mapping.")
                    : Check.ok("destination.database_empty", "database " + db + " is absent or empty on the destination,"
                            + " or was created by pgferry"));
        }
        return checks;
    }

    private static String env(String name) {
        return name.toUpperCase().replace('-', '_');
    }
}
