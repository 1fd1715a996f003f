package dev.pgferry.preflight;

import dev.pgferry.monitor.ObservedDatabase;
import java.util.List;

/** Can both servers be reached, and does the database exist on the source? */
final class ConnectionChecks {

    private ConnectionChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        ObservedDatabase o = in.database();
        String source = in.mapping().source().name();
        String destination = in.mapping().destination().name();
        checks.add(o.sourceError() == null
                ? Check.ok("source.reachable", "source " + source + " answers")
                : Check.block("source.reachable", o.sourceError(), "Check host, port, user, password and sslmode in "
                        + CheckInput.instanceVariables(source) + ", and that the server runs and accepts pgferry "
                        + "(pg_hba.conf)."));
        checks.add(o.destinationError() == null
                ? Check.ok("destination.reachable", "destination " + destination + " answers")
                : Check.block("destination.reachable", o.destinationError(), "Check host, port, user, password and "
                        + "sslmode in " + CheckInput.instanceVariables(destination) + ", and that the server runs and "
                        + "accepts pgferry (pg_hba.conf)."));
        if (in.destination().controlSchemaError() != null) {
            checks.add(Check.block("destination.control_schema", in.destination().controlSchemaError()
                    + " (completion markers, starts and the ownership of databases are kept there)", "Connect as the "
                    + "role that owns schema pgferry in the maintenance database and its tables (pgferry trusts "
                    + "records only there), or drop that schema if it is not pgferry's."));
        }
        if (o.sourceError() == null) {
            checks.add(o.sourceDatabaseExists()
                    ? Check.ok("source.database", "database " + in.db() + " exists on the source")
                    : Check.block("source.database", "database " + in.db() + " does not exist on source " + source,
                            "Remove it from " + in.mappingVariable("DATABASES") + " or create it on the source."));
        }
    }
}
