package dev.pgferry.preflight;

import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.replication.SourceReach;
import java.util.List;

/** Can both servers be reached, and does the database exist on the source? */
final class ConnectionChecks {

    private ConnectionChecks() {
    }

    /** A TLS failure names the TLS variables; anything else the connection's. */
    private static String fix(String error, String instance) {
        if (dev.pgferry.pg.PgErrors.isTlsMessage(error)) {
            return "TLS between pgferry and the server failed. Set " + CheckInput.instanceVariable(instance,
                    "SSLROOTCERT") + " to the CA bundle that signed the server's certificate and "
                    + CheckInput.instanceVariable(instance, "HOST") + " to a name the certificate holds "
                    + "(SSLMODE=verify-full; verify-ca does not check the name); if the server asks for a client "
                    + "certificate, set " + CheckInput.instanceVariable(instance, "SSLCERT") + " and "
                    + CheckInput.instanceVariable(instance, "SSLKEY") + "; a server without TLS needs "
                    + CheckInput.instanceVariable(instance, "SSLMODE") + "=prefer or disable.";
        }
        return "Check host, port, user, password and sslmode in " + CheckInput.instanceVariables(instance)
                + ", and that the server runs and accepts pgferry (pg_hba.conf).";
    }


    static void add(CheckInput in, List<Check> checks) {
        ObservedDatabase o = in.database();
        String source = in.mapping().source().name();
        String destination = in.mapping().destination().name();
        checks.add(o.sourceError() == null
                ? Check.ok("source.reachable", "source " + source + " answers")
                : Check.block("source.reachable", o.sourceError(), fix(o.sourceError(), source)));
        checks.add(o.destinationError() == null
                ? Check.ok("destination.reachable", "destination " + destination + " answers")
                : Check.block("destination.reachable", o.destinationError(), fix(o.destinationError(), destination)));
        if (o.sourceError() == null && o.destinationError() == null && o.subscription().isEmpty()) {
            reach(in, checks);
        }
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

    /** Until the subscription exists: can the destination server connect where it will? */
    private static void reach(CheckInput in, List<Check> checks) {
        SourceReach reach = in.reach();
        String source = in.mapping().source().name();
        String variables = CheckInput.instanceVariable(source, "REPLICATION_HOST") + " and _REPLICATION_PORT";
        switch (reach.state()) {
            case REACHED -> checks.add(Check.ok("destination.reaches_source", "the destination server reaches the "
                    + "source at " + reach.address() + " (" + reach.detail() + ")"));
            case UNREACHABLE -> checks.add(Check.block("destination.reaches_source", "the destination server cannot "
                    + "reach the source at " + reach.address() + ": " + reach.detail(), "Set " + variables
                    + " (and _REPLICATION_SSLMODE) to the address the destination server reaches the source at (by "
                    + "default the HOST and PORT pgferry uses), and let the destination's address through the "
                    + "source's firewall and pg_hba.conf."));
            case NO_PASSWORD_ASKED -> checks.add(Check.block("destination.reaches_source", "the source at "
                    + reach.address() + " lets the destination server in without asking for a password, and a "
                    + "subscription owned by a non-superuser must use one: " + reach.detail(), "In the source's "
                    + "pg_hba.conf, use scram-sha-256 (not trust) for the destination server's address."));
            case UNKNOWN -> {
                // not probed, or the probe could not run (privileges are checked on their own)
            }
        }
    }
}
