package dev.pgferry.config;

import dev.pgferry.config.PgferryProperties.InstanceProperties;
import dev.pgferry.config.PgferryProperties.MappingProperties;
import dev.pgferry.config.PgferryProperties.NotifyProperties;
import dev.pgferry.config.PgferryProperties.UserProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the bound properties and the PGFERRY_* environment variables, collecting one message per
 * problem, each naming the variable to fix. Pure apart from checking that password files exist.
 */
public final class ConfigurationValidator {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Set<String> SSLMODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");

    private final List<String> problems = new ArrayList<>();

    private ConfigurationValidator() {
    }

    /** Returns the validated configuration or throws with every problem found. */
    public static PgferryConfig validate(PgferryProperties properties, Map<String, String> environment) {
        ConfigurationValidator validator = new ConfigurationValidator();
        validator.problems.addAll(EnvironmentVariables.unknown(environment));
        PgferryConfig config = validator.check(properties);
        if (!validator.problems.isEmpty()) {
            throw new InvalidConfigurationException(validator.problems);
        }
        return config;
    }

    private PgferryConfig check(PgferryProperties p) {
        Map<String, Instance> instances = new LinkedHashMap<>();
        p.instances().forEach((name, instance) -> {
            Instance checked = instance(name, instance);
            if (checked != null) {
                instances.put(name, checked);
            }
        });
        List<Mapping> mappings = new ArrayList<>();
        p.mappings().forEach((name, mapping) -> {
            Mapping checked = mapping(name, mapping, p.instances().keySet(), instances);
            if (checked != null) {
                mappings.add(checked);
            }
        });
        if (p.mappings().isEmpty()) {
            problems.add("PGFERRY_MAPPINGS_<NAME>_SOURCE: no mapping is configured; set PGFERRY_MAPPINGS_<NAME>_SOURCE "
                    + "and PGFERRY_MAPPINGS_<NAME>_DESTINATION to the names of two instances");
        }
        checkDestinationOverlap(mappings);
        List<User> users = users(p.users(), p.userFile());
        if (p.pollInterval().isNegative() || p.pollInterval().isZero()) {
            problems.add("PGFERRY_POLL_INTERVAL=" + p.pollInterval() + ": must be positive, e.g. 5s");
        }
        long maxLag = p.ready().maxLagBytes().toBytes();
        if (maxLag < 0) {
            problems.add("PGFERRY_READY_MAX_LAG_BYTES: must not be negative");
        }
        if (p.ready().maxLagSeconds().isNegative()) {
            problems.add("PGFERRY_READY_MAX_LAG_SECONDS: must not be negative");
        }
        if (p.ready().stableFor().isNegative()) {
            problems.add("PGFERRY_READY_STABLE_FOR: must not be negative");
        }
        if (p.dashboardRefresh().toMillis() < 500) {
            problems.add("PGFERRY_DASHBOARD_REFRESH=" + p.dashboardRefresh() + ": too short; use 500ms or more, e.g. 5s");
        }
        if (p.exactCountInterval().isNegative()) {
            problems.add("PGFERRY_EXACT_COUNT_INTERVAL=" + p.exactCountInterval() + ": must not be negative; use 0 "
                    + "to count on demand only, or e.g. 6h");
        }
        if (p.verifyChunkRows() < 100 || p.verifyChunkRows() > 10_000_000) {
            problems.add("PGFERRY_VERIFY_CHUNK_ROWS=" + p.verifyChunkRows() + ": use 100 to 10000000 rows per "
                    + "checksum chunk, e.g. 10000");
        }
        return new PgferryConfig(instances, mappings, users, p.pollInterval(),
                new PgferryConfig.ReadinessThresholds(maxLag, p.ready().maxLagSeconds(), p.ready().stableFor()), p.pgBinDir(),
                p.dashboardRefresh(), p.exactCountInterval(), p.verifyChunkRows(), notifyTargets(p.webhooks()));
    }

    /**
     * Webhooks ({@code PGFERRY_NOTIFY_<N>_*}). A URL's path is its credential for Slack and Teams:
     * no message here repeats the URL's value.
     */
    private List<NotifyTarget> notifyTargets(Map<String, NotifyProperties> notify) {
        List<NotifyTarget> targets = new ArrayList<>();
        notify.forEach((name, n) -> {
            String var = "PGFERRY_NOTIFY_" + envPart(name) + "_";
            int before = problems.size();
            checkName(name, var + "URL");
            URI url = null;
            if (blank(n.url())) {
                problems.add(var + "URL: missing; set it to the webhook's http(s) address");
            } else {
                try {
                    url = new URI(n.url().strip());
                    if (!("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))
                            || url.getHost() == null) {
                        problems.add(var + "URL: not an http:// or https:// address with a host (value not shown: "
                                + "a webhook's address is a secret); set it to the webhook's full URL");
                    }
                } catch (URISyntaxException e) {
                    problems.add(var + "URL: not a valid URL at character " + e.getIndex() + " (value not shown: a "
                            + "webhook's address is a secret); percent-encode spaces and special characters");
                }
            }
            NotifyTarget.Format format = enumValue(var + "FORMAT", n.format() == null ? "json" : n.format(),
                    NotifyTarget.Format.class, "json, slack, teams");
            Set<String> events = new java.util.LinkedHashSet<>();
            if (blank(n.events()) || "all".equalsIgnoreCase(n.events().strip())) {
                events.addAll(NotifyTarget.EVENTS);
            } else {
                for (String event : n.events().split(",")) {
                    String e = event.strip().toLowerCase(Locale.ROOT);
                    if (NotifyTarget.EVENTS.contains(e)) {
                        events.add(e);
                    } else if (!e.isEmpty()) {
                        problems.add(var + "EVENTS=" + n.events() + ": unknown event " + event.strip() + "; use a "
                                + "comma-separated list of " + String.join(", ", NotifyTarget.EVENTS) + " (or all)");
                    }
                }
            }
            Secret secret = blank(n.secret()) ? Secret.none() : Secret.of(n.secret());
            if (secret.isPresent() && format != null && format != NotifyTarget.Format.JSON) {
                problems.add(var + "SECRET: signs json messages only (a chat's webhook ignores the signature); "
                        + "remove it or set " + var + "FORMAT=json");
            }
            if (problems.size() == before) {
                targets.add(new NotifyTarget(name, url, format, events, secret));
            }
        });
        return targets;
    }

    private Instance instance(String name, InstanceProperties i) {
        String var = "PGFERRY_INSTANCES_" + envPart(name) + "_";
        int before = problems.size();
        checkName(name, var + "HOST");
        if (blank(i.host())) {
            problems.add(var + "HOST: missing; set it to the server's host name or address");
        }
        int port = port(var + "PORT", i.port());
        if (blank(i.user())) {
            problems.add(var + "USER: missing; set it to the PostgreSQL role pgferry connects as");
        }
        Secret password = instanceSecret(var, i);
        String sslmode = sslmode(var + "SSLMODE", i.sslmode() == null ? "prefer" : i.sslmode());
        // where the destination server reaches this instance: by default where pgferry does
        String replicationHost = blank(i.replicationHost()) ? i.host() : i.replicationHost().strip();
        int replicationPort = blank(i.replicationPort()) ? port : port(var + "REPLICATION_PORT", i.replicationPort());
        String replicationSslmode = blank(i.replicationSslmode()) ? sslmode
                : sslmode(var + "REPLICATION_SSLMODE", i.replicationSslmode());
        TlsFiles tls = TlsFileChecks.check(var, sslmode, i.sslrootcert(), i.sslcert(), i.sslkey(), problems);
        if (problems.size() > before) {
            return null;
        }
        return new Instance(name, i.host().strip(), port, i.user().strip(), password, sslmode,
                i.maintenanceDatabase(), new Instance.ReplicationAddress(replicationHost.strip(), replicationPort,
                        replicationSslmode), tls);
    }

    private String sslmode(String variable, String value) {
        String sslmode = value.strip().toLowerCase(Locale.ROOT);
        if (!SSLMODES.contains(sslmode)) {
            problems.add(variable + "=" + value + ": unknown; use one of disable, allow, prefer, require, "
                    + "verify-ca, verify-full");
        }
        return sslmode;
    }

    private Mapping mapping(String name, MappingProperties m, Set<String> declared, Map<String, Instance> valid) {
        String var = "PGFERRY_MAPPINGS_" + envPart(name) + "_";
        int before = problems.size();
        checkName(name, var + "SOURCE");
        Instance source = instanceRef(var + "SOURCE", m.source(), declared, valid);
        Instance destination = instanceRef(var + "DESTINATION", m.destination(), declared, valid);
        if (m.source() != null && m.source().equalsIgnoreCase(String.valueOf(m.destination()))) {
            problems.add(var + "DESTINATION=" + m.destination() + ": same instance as the source; a mapping moves "
                    + "databases to another instance");
        }
        Mode mode = enumValue(var + "MODE", m.mode(), Mode.class, "plan, run");

        Mapping.TablesWithoutKey tablesWithoutKey = enumValue(var + "TABLES_WITHOUT_KEY", m.tablesWithoutKey(),
                Mapping.TablesWithoutKey.class, "block, exclude");
        Mapping.RoleConflict roleConflict = enumValue(var + "ROLE_CONFLICT", m.roleConflict(),
                Mapping.RoleConflict.class, "merge, fail");
        List<String> databases = list(m.databases());
        Mapping.Content content = enumValue(var + "CONTENT", m.content(), Mapping.Content.class,
                "schema-and-data, schema-only, data-only");
        Scope scope = new Scope(list(m.schemas()), list(m.excludeSchemas()),
                list(m.tables()).stream().map(Scope.QualifiedName::parse).toList(),
                list(m.excludeTables()).stream().map(Scope.QualifiedName::parse).toList());
        // snapshot unless told otherwise; data-only copies into the destination's own schema: native
        CopyMethod copyMethod = blank(m.copyMethod())
                ? (content == Mapping.Content.DATA_ONLY ? CopyMethod.NATIVE : CopyMethod.SNAPSHOT)
                : enumValue(var + "COPY_METHOD", m.copyMethod(), CopyMethod.class, "snapshot, native");
        if (copyMethod == CopyMethod.SNAPSHOT && content == Mapping.Content.DATA_ONLY) {
            problems.add(var + "COPY_METHOD=snapshot: not with CONTENT=data-only (the destination's own schema, "
                    + "with its indexes and triggers, is in place before the copy); use COPY_METHOD=native");
        }
        boolean allowFreeze = flag(var + "ALLOW_FREEZE", m.allowFreeze());
        boolean allowReverse = flag(var + "ALLOW_REVERSE", m.allowReverse());
        if (allowReverse && !allowFreeze) {
            problems.add(var + "ALLOW_REVERSE=true needs " + var + "ALLOW_FREEZE=true: the reverse direction starts "
                    + "from a source pgferry froze (its writes stopped, recorded, undone by rollback or unfreeze)");
        }
        Mapping.SchemaChanges schemaChanges = new Mapping.SchemaChanges(enumValue(var + "SCHEMA_CHANGES",
                m.schemaChanges(), Mapping.SchemaChangePolicy.class, "apply-safe, confirm-all, detect-only"),
                flag(var + "DDL_CAPTURE", m.ddlCapture()));
        if (schemaChanges.ddlCapture() && (content != Mapping.Content.SCHEMA_AND_DATA || !scope.equals(Scope.ALL))) {
            problems.add(var + "DDL_CAPTURE=true: only for a mapping that copies the whole schema (CONTENT=schema-and-"
                    + "data, no SCHEMAS or TABLES scope), where pgferry carries schema changes over; remove the variable");
        }
        Mapping.CopyLimits copyLimits = new Mapping.CopyLimits(copyWorkers(var + "COPY_WORKERS", m.copyWorkers()),
                rate(var + "COPY_MAX_RATE", m.copyMaxRate()),
                maintenanceWorkMem(var + "COPY_MAINTENANCE_WORK_MEM", m.copyMaintenanceWorkMem()));
        Mapping.FreezeRoles freezeRoles = new Mapping.FreezeRoles(list(m.freezeRoles()),
                list(m.freezeExcludeRoles()));
        List<String> both = freezeRoles.add().stream().filter(freezeRoles.exclude()::contains).toList();
        if (!both.isEmpty()) {
            problems.add(var + "FREEZE_EXCLUDE_ROLES: " + both + " also listed in " + var + "FREEZE_ROLES; a role is "
                    + "either frozen or never frozen, keep it in one list");
        }
        List<String> adopt = list(m.adoptDatabases());
        if (!adopt.isEmpty() && content == Mapping.Content.DATA_ONLY) {
            problems.add(var + "ADOPT_DATABASES: not with CONTENT=data-only, which moves rows into the destination's "
                    + "own databases and never takes them over; remove the variable");
        }
        if (!adopt.isEmpty() && !databases.isEmpty() && !databases.containsAll(adopt)) {
            problems.add(var + "ADOPT_DATABASES=" + String.join(",", adopt) + ": lists "
                    + adopt.stream().filter(d -> !databases.contains(d)).toList() + ", not among " + var + "DATABASES");
        }
        // an instance with problems of its own is reported there; the mapping is left out
        if (problems.size() > before || source == null || destination == null) {
            return null;
        }
        return new Mapping(name, source, destination, databases, mode, copyMethod, tablesWithoutKey, roleConflict,
                content, scope, allowFreeze, copyLimits, adopt, freezeRoles, allowReverse, schemaChanges);
    }

    private void checkDestinationOverlap(List<Mapping> mappings) {
        Map<String, String> owners = new HashMap<>();
        for (Mapping mapping : mappings) {
            for (String database : mapping.databases()) {
                String key = mapping.destination().name() + "/" + database;
                String other = owners.putIfAbsent(key, mapping.name());
                if (other != null) {
                    problems.add("PGFERRY_MAPPINGS_" + envPart(mapping.name()) + "_DATABASES: database '" + database
                            + "' on destination " + mapping.destination().name() + " is already written by mapping "
                            + other + "; two mappings may never write the same destination database");
                }
            }
        }
    }

    private List<User> users(Map<String, UserProperties> users, String userFile) {
        List<User> result = new ArrayList<>();
        if (!blank(userFile)) {
            UserFile.Parsed parsed = UserFile.read(Path.of(userFile.strip()));
            problems.addAll(parsed.problems());
            result.addAll(parsed.users());
        }
        users.forEach((name, u) -> {
            String var = "PGFERRY_USERS_" + envPart(name) + "_";
            int before = problems.size();
            checkName(name, var + "PASSWORD");
            Secret password = secret(var, u.password(), u.passwordFile());
            if (!password.isPresent() && problems.size() == before) {
                problems.add(var + "PASSWORD: missing; set it (or " + var + "PASSWORD_FILE) for the dashboard user "
                        + name);
            }
            User.Role role = enumValue(var + "ROLE", u.role(), User.Role.class, "viewer, operator");
            if (problems.size() == before) {
                result.add(new User(name, password, role));
            }
        });
        Set<String> seen = new HashSet<>();
        for (User user : result) {
            if (!seen.add(user.name())) {
                problems.add("PGFERRY_USER_FILE: user " + user.name() + " is also configured by PGFERRY_USERS_"
                        + envPart(user.name()) + "_*; keep one of them");
            }
        }
        if (users.isEmpty() && blank(userFile)) {
            problems.add("PGFERRY_USERS_<NAME>_PASSWORD: no dashboard user is configured; set "
                    + "PGFERRY_USERS_<NAME>_PASSWORD and PGFERRY_USERS_<NAME>_ROLE=operator for at least one user, "
                    + "or PGFERRY_USER_FILE");
        } else if (result.stream().noneMatch(u -> u.role() == User.Role.OPERATOR)
                && users.values().stream().noneMatch(u -> "operator".equalsIgnoreCase(u.role()))) {
            problems.add("PGFERRY_USERS_<NAME>_ROLE: no user has the operator role; set "
                    + "PGFERRY_USERS_<NAME>_ROLE=operator for at least one user");
        }
        return result;
    }

    private Instance instanceRef(String var, String ref, Set<String> declared, Map<String, Instance> valid) {
        if (blank(ref)) {
            problems.add(var + ": missing; set it to the name of an instance (PGFERRY_INSTANCES_<NAME>_HOST)");
            return null;
        }
        String name = ref.strip().toLowerCase(Locale.ROOT);
        if (!declared.contains(name)) {
            problems.add(var + "=" + ref + ": no such instance; declare it with PGFERRY_INSTANCES_" + envPart(name)
                    + "_HOST" + (declared.isEmpty() ? "" : " or use one of " + String.join(", ", declared)));
        }
        return valid.get(name);
    }

    /** An instance's password: inline, from a file or from a command, one of them at most. */
    private Secret instanceSecret(String var, PgferryProperties.InstanceProperties i) {
        String command = i.passwordCommand() == null || i.passwordCommand().isBlank() ? null : i.passwordCommand();
        if (command == null) {
            return secret(var, i.password(), i.passwordFile());
        }
        boolean other = (i.password() != null && !i.password().isEmpty())
                || (i.passwordFile() != null && !i.passwordFile().isBlank());
        if (other) {
            problems.add(var + "PASSWORD_COMMAND: set together with " + var + "PASSWORD or " + var
                    + "PASSWORD_FILE; keep one");
            return Secret.none();
        }
        return Secret.fromCommand(command);
    }

    private Secret secret(String var, String rawPassword, String rawPasswordFile) {
        // an empty variable counts as unset
        String password = rawPassword == null || rawPassword.isEmpty() ? null : rawPassword;
        String passwordFile = rawPasswordFile == null || rawPasswordFile.isBlank() ? null : rawPasswordFile;
        if (password != null && passwordFile != null) {
            problems.add(var + "PASSWORD_FILE: both " + var + "PASSWORD and " + var + "PASSWORD_FILE are set; keep one");
            return Secret.none();
        }
        if (passwordFile != null) {
            Path file = Path.of(passwordFile);
            if (!Files.isReadable(file)) {
                problems.add(var + "PASSWORD_FILE=" + passwordFile + ": file not found or not readable");
                return Secret.none();
            }
            return Secret.fromFile(file);
        }
        return password == null ? Secret.none() : Secret.of(password);
    }

    private int port(String var, String value) {
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // reported below
        }
        problems.add(var + "=" + value + ": not a port number; use 1-65535 (PostgreSQL's default is 5432)");
        return 0;
    }

    private <E extends Enum<E>> E enumValue(String var, String value, Class<E> type, String allowed) {
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException | NullPointerException e) {
            problems.add(var + "=" + value + ": unknown; use one of " + allowed);
            return null;
        }
    }

    private void checkName(String name, String var) {
        if (!NAME.matcher(name).matches()) {
            problems.add(var + ": the name '" + name + "' must be lower-case letters, digits and dashes "
                    + "(in environment variables: letters and digits only)");
        }
    }

    private static List<String> list(String commaSeparated) {
        return commaSeparated == null ? List.of()
                : Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static String envPart(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private int copyWorkers(String var, String value) {
        try {
            int workers = Integer.parseInt(value.strip());
            if (workers >= 1 && workers <= 64) {
                return workers;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // reported below
        }
        problems.add(var + "=" + value + ": use a number of workers from 1 to 64");
        return 1;
    }

    /** Bytes per second from a size such as 100MB; 0 means unlimited. */
    private long rate(String var, String value) {
        try {
            long bytes = org.springframework.util.unit.DataSize.parse(value.strip().replace(" ", "").toUpperCase(Locale.ROOT))
                    .toBytes();
            if (bytes >= 0) {
                return bytes;
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            // reported below
        }
        problems.add(var + "=" + value + ": use a size per second such as 100MB, or 0 for no limit");
        return 0;
    }

    /** The index builds' maintenance_work_mem: from 1MB to what PostgreSQL accepts (2 TB less a kilobyte). */
    private long maintenanceWorkMem(String var, String value) {
        try {
            long bytes = org.springframework.util.unit.DataSize.parse(value.strip().replace(" ", "").toUpperCase(Locale.ROOT))
                    .toBytes();
            if (bytes >= 1024L * 1024 && bytes / 1024 <= Integer.MAX_VALUE) {
                return bytes;
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            // reported below
        }
        problems.add(var + "=" + value + ": use a size from 1MB to 2047GB such as 256MB or 1GB (the memory of each "
                + "index build on the destination)");
        return Mapping.CopyLimits.DEFAULT_MAINTENANCE_WORK_MEM;
    }

    private boolean flag(String var, String value) {
        if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.strip().equalsIgnoreCase("true")) {
            return true;
        }
        problems.add(var + "=" + value + ": use true or false");
        return false;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
