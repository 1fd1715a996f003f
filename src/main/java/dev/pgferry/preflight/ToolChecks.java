package dev.pgferry.preflight;

import java.util.List;

/** pg_dump on this host must be at least the source's major version. */
final class ToolChecks {

    private ToolChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        int sourceMajor = in.source().serverMajor();
        if (in.pgDumpMajor().isEmpty()) {
            checks.add(Check.block("host.pg_dump", "pg_dump was not found on the host running pgferry",
                    "Install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client-"
                            + Math.max(sourceMajor, 15) + ") or set PGFERRY_PG_BIN_DIR."));
            return;
        }
        int major = in.pgDumpMajor().getAsInt();
        checks.add(sourceMajor == 0 || major >= sourceMajor
                ? Check.ok("host.pg_dump", "pg_dump " + major + " on this host")
                : Check.block("host.pg_dump", "pg_dump on this host is version " + major + ", older than the source "
                        + "(PostgreSQL " + sourceMajor + "); it refuses newer servers", "Install postgresql-client-"
                        + sourceMajor + " (Debian/Ubuntu, from apt.postgresql.org) or set PGFERRY_PG_BIN_DIR to its "
                        + "bin folder."));
    }
}
