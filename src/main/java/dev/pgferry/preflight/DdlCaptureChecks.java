package dev.pgferry.preflight;

import dev.pgferry.monitor.ServerFacts;
import java.util.List;

/**
 * DDL_CAPTURE needs a superuser on the source (only a superuser may create the event trigger that
 * records the statements). A warning: schema changes are still found from the catalogs, only
 * their statements' text is missing from the history.
 */
final class DdlCaptureChecks {

    private DdlCaptureChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        if (!in.mapping().schemaChanges().ddlCapture()) {
            return;
        }
        ServerFacts source = in.source().facts();
        String variable = CheckInput.mappingVariable(in.mapping().name(), "DDL_CAPTURE");
        checks.add(source.user().superuser()
                ? Check.ok("source.ddl_capture", "the source user may create the event trigger that records DDL "
                        + "statements (" + variable + "=true)")
                : Check.warn("source.ddl_capture", source.user().name() + " is no superuser on the source, so the "
                        + "DDL statements are not recorded (" + variable + "=true); schema changes are still found "
                        + "and carried over from the catalogs", "Connect to the source as a superuser, or set "
                        + variable + "=false."));
    }
}
