package dev.pgferry.preflight;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure checks over one tick's observations: can this database migration go on? Each check has
 * a stable id (listed in docs/checks.md), a level, what was seen and the fix in one sentence.
 * Checks about something pgferry has already created count it as its own, so a running
 * migration does not block itself (its slot uses a slot, its subscription a worker).
 */
public final class PreflightChecks {

    private PreflightChecks() {
    }

    public static List<Check> evaluate(CheckInput in) {
        List<Check> checks = new ArrayList<>();
        ConnectionChecks.add(in, checks);
        if (in.source().reachable() && in.destination().reachable()) {
            ServerChecks.add(in, checks);
            PrivilegeChecks.add(in, checks);
            SchemaChecks.add(in, checks);
            ConflictChecks.add(in, checks);
            RoleChecks.add(in, checks);
            NonSuperuserChecks.add(in, checks);
            ReverseDirectionChecks.add(in, checks);
            DdlCaptureChecks.add(in, checks);
        }
        ToolChecks.add(in, checks);
        return checks;
    }
}
