package dev.pgferry.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Recognizes the PGFERRY_* variables of the configuration contract, so that a typo or a name
 * with an underscore (which Spring would split into two levels) is reported instead of ignored.
 */
public final class EnvironmentVariables {

    private static final List<Pattern> KNOWN = List.of(
            Pattern.compile("PGFERRY_INSTANCES_[A-Z0-9]+_(HOST|PORT|USER|PASSWORD|PASSWORD_FILE|PASSWORD_COMMAND|SSLMODE"
                    + "|MAINTENANCE_DATABASE|REPLICATION_HOST|REPLICATION_PORT|REPLICATION_SSLMODE|SSLROOTCERT|SSLCERT|SSLKEY)"),
            Pattern.compile("PGFERRY_MAPPINGS_[A-Z0-9]+_(SOURCE|DESTINATION|DATABASES|MODE|COPY_METHOD|TABLES_WITHOUT_KEY"
                    + "|ROLE_CONFLICT|CONTENT|SCHEMAS|EXCLUDE_SCHEMAS|TABLES|EXCLUDE_TABLES|ALLOW_FREEZE|ALLOW_REVERSE"
                    + "|COPY_WORKERS|COPY_MAX_RATE|COPY_MAINTENANCE_WORK_MEM|ADOPT_DATABASES|FREEZE_ROLES|FREEZE_EXCLUDE_ROLES|SCHEMA_CHANGES|DDL_CAPTURE)"),
            Pattern.compile("PGFERRY_USERS_[A-Z0-9]+_(PASSWORD|PASSWORD_FILE|ROLE)"),
            Pattern.compile("PGFERRY_NOTIFY_[A-Z0-9]+_(URL|FORMAT|EVENTS|SECRET)"),
            Pattern.compile("PGFERRY_(POLL_INTERVAL|PG_BIN_DIR|READY_MAX_LAG_BYTES|READY_MAX_LAG_SECONDS|READY_STABLE_FOR"
                    + "|DASHBOARD_REFRESH|EXACT_COUNT_INTERVAL|USER_FILE|VERIFY_CHUNK_ROWS|SHUTDOWN_GRACE)"));

    private EnvironmentVariables() {
    }

    /** One message per PGFERRY_* variable that the configuration contract does not know. */
    public static List<String> unknown(Map<String, String> environment) {
        return environment.keySet().stream()
                .filter(name -> name.startsWith("PGFERRY_"))
                .filter(name -> KNOWN.stream().noneMatch(p -> p.matcher(name).matches()))
                .sorted()
                .map(name -> name + ": unknown variable; see application.yml.example for the variables pgferry reads "
                        + "(instance, mapping and user names are one word of letters and digits)")
                .toList();
    }
}
