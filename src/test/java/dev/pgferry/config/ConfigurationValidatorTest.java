package dev.pgferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Configuration bound from real environment-variable names, as Spring binds them in production. */
class ConfigurationValidatorTest {

    private final Map<String, Object> env = new HashMap<>();

    {
        String[] pairs = {
            "PGFERRY_INSTANCES_OLD_HOST", "old.db", "PGFERRY_INSTANCES_OLD_USER", "migrator",
            "PGFERRY_INSTANCES_OLD_PASSWORD", "s3cret",
            "PGFERRY_INSTANCES_NEW_HOST", "new.db", "PGFERRY_INSTANCES_NEW_PORT", "6432",
            "PGFERRY_INSTANCES_NEW_USER", "migrator", "PGFERRY_INSTANCES_NEW_SSLMODE", "require",
            "PGFERRY_MAPPINGS_MAIN_SOURCE", "old", "PGFERRY_MAPPINGS_MAIN_DESTINATION", "new",
            "PGFERRY_MAPPINGS_MAIN_DATABASES", "orders, billing",
            "PGFERRY_USERS_ADMIN_PASSWORD", "pw", "PGFERRY_USERS_ADMIN_ROLE", "operator"};
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
    }

    @Test
    void bindsTheContractsVariableNames() {
        env.put("PGFERRY_MAPPINGS_MAIN_MODE", "run");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_METHOD", "native");
        env.put("PGFERRY_POLL_INTERVAL", "2s");
        env.put("PGFERRY_READY_MAX_LAG_BYTES", "1048576");
        env.put("PGFERRY_READY_STABLE_FOR", "45s");
        env.put("PGFERRY_READY_MAX_LAG_SECONDS", "30");
        PgferryConfig config = validate();
        Mapping main = config.mapping("main").orElseThrow();
        assertThat(main.source().host()).isEqualTo("old.db");
        assertThat(main.source().port()).isEqualTo(5432);
        assertThat(main.destination().port()).isEqualTo(6432);
        assertThat(main.destination().sslmode()).isEqualTo("require");
        assertThat(main.databases()).containsExactly("orders", "billing");
        assertThat(main.mode()).isEqualTo(Mode.RUN);
        assertThat(config.pollInterval()).hasSeconds(2);
        assertThat(config.ready().maxLagBytes()).isEqualTo(1048576);
        assertThat(config.ready().stableFor()).hasSeconds(45);
        assertThat(config.ready().maxLagTime()).hasSeconds(30);
        assertThat(config.users()).singleElement().extracting(User::role).isEqualTo(User.Role.OPERATOR);
    }

    @Test
    void aPasswordCommandGivesTheInstancesPasswordAndIsRunAgainOnlyAfterItsReuseTime(@TempDir Path dir)
            throws Exception {
        Path runs = dir.resolve("runs");
        env.remove("PGFERRY_INSTANCES_OLD_PASSWORD");
        env.put("PGFERRY_INSTANCES_OLD_PASSWORD_COMMAND", "echo run >> '" + runs + "'; echo ' token-1 '");
        Secret password = validate().mapping("main").orElseThrow().source().password();
        assertThat(password.reveal()).isEqualTo("token-1");
        assertThat(password.reveal()).isEqualTo("token-1");
        assertThat(Files.readAllLines(runs)).as("reused for " + Secret.COMMAND_REUSE).hasSize(1);
        assertThat(password.source()).isEqualTo("from a command");
        assertThat(password.toString()).doesNotContain("token");
    }

    @Test
    void aFailingPasswordCommandSaysSoWithoutItsOutput() {
        env.remove("PGFERRY_INSTANCES_OLD_PASSWORD");
        env.put("PGFERRY_INSTANCES_OLD_PASSWORD_COMMAND", "echo half-a-secret; exit 3");
        Secret password = validate().mapping("main").orElseThrow().source().password();
        Throwable failure = catchThrowableOfType(java.io.UncheckedIOException.class, password::reveal);
        assertThat(failure.getCause().getMessage()).contains("exited with status 3").contains("run it by hand")
                .doesNotContain("half-a-secret");
    }

    @Test
    void aPasswordCommandWithAPasswordIsOneTooMany() {
        env.put("PGFERRY_INSTANCES_OLD_PASSWORD_COMMAND", "echo token");
        assertThat(problems()).singleElement().asString().startsWith("PGFERRY_INSTANCES_OLD_PASSWORD_COMMAND")
                .contains("keep one");
    }

    @Test
    void defaultsArePlanModeAndTheSnapshotCopy() {
        Mapping main = validate().mapping("main").orElseThrow();
        assertThat(main.mode()).isEqualTo(Mode.PLAN);
        assertThat(main.copyMethod()).isEqualTo(CopyMethod.SNAPSHOT);
        assertThat(main.copyLimits()).isEqualTo(new Mapping.CopyLimits(4, 100L * 1024 * 1024));
        assertThat(main.allowFreeze()).as("the assisted freeze is off unless asked for").isFalse();
    }

    @Test
    void schemaChangesAreAppliedSafelyByDefaultAndThePolicyIsChosenPerMapping() {
        assertThat(validate().mapping("main").orElseThrow().schemaChanges())
                .isEqualTo(new Mapping.SchemaChanges(Mapping.SchemaChangePolicy.APPLY_SAFE, false));
        env.put("PGFERRY_MAPPINGS_MAIN_SCHEMA_CHANGES", "confirm-all");
        env.put("PGFERRY_MAPPINGS_MAIN_DDL_CAPTURE", "true");
        assertThat(validate().mapping("main").orElseThrow().schemaChanges())
                .isEqualTo(new Mapping.SchemaChanges(Mapping.SchemaChangePolicy.CONFIRM_ALL, true));
        env.put("PGFERRY_MAPPINGS_MAIN_SCHEMA_CHANGES", "apply-everything");
        env.put("PGFERRY_MAPPINGS_MAIN_SCHEMAS", "sales");
        assertThat(problems()).containsExactlyInAnyOrder("PGFERRY_MAPPINGS_MAIN_SCHEMA_CHANGES=apply-everything: "
                + "unknown; use one of apply-safe, confirm-all, detect-only", "PGFERRY_MAPPINGS_MAIN_DDL_CAPTURE=true: "
                + "only for a mapping that copies the whole schema (CONTENT=schema-and-data, no SCHEMAS or TABLES "
                + "scope), where pgferry carries schema changes over; remove the variable");
    }

    @Test
    void theAssistedFreezeIsAllowedPerMapping() {
        env.put("PGFERRY_MAPPINGS_MAIN_ALLOW_FREEZE", "true");
        assertThat(validate().mapping("main").orElseThrow().allowFreeze()).isTrue();
        env.put("PGFERRY_MAPPINGS_MAIN_ALLOW_FREEZE", "maybe");
        assertThat(problems()).singleElement().asString()
                .isEqualTo("PGFERRY_MAPPINGS_MAIN_ALLOW_FREEZE=maybe: use true or false");
    }

    @Test
    void passwordsNeverShowInToString() {
        PgferryConfig config = validate();
        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("pw,");
        assertThat(config.instances().get("old").password().reveal()).isEqualTo("s3cret");
    }

    @Test
    void passwordFileIsReadOnUse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "from-file\n");
        env.remove("PGFERRY_INSTANCES_OLD_PASSWORD");
        env.put("PGFERRY_INSTANCES_OLD_PASSWORD_FILE", file.toString());
        Secret secret = validate().instances().get("old").password();
        assertThat(secret.reveal()).isEqualTo("from-file");
        Files.writeString(file, "rotated");
        assertThat(secret.reveal()).isEqualTo("rotated");
    }

    @Test
    void everyProblemIsReportedWithItsVariable() {
        env.remove("PGFERRY_INSTANCES_NEW_HOST");
        env.put("PGFERRY_INSTANCES_OLD_PORT", "abc");
        env.put("PGFERRY_INSTANCES_OLD_SSLMODE", "sometimes");
        env.put("PGFERRY_INSTANCES_OLD_PASSWORD_FILE", "/nonexistent/pw");
        env.put("PGFERRY_MAPPINGS_MAIN_MODE", "go");
        env.put("PGFERRY_MAPPINGS_OTHER_SOURCE", "nowhere");
        env.put("PGFERRY_MAPPINGS_OTHER_DESTINATION", "new");
        env.put("PGFERRY_MAPPINGS_ORDERS_EU_SOURCE", "old");
        env.put("PGFERRY_USERS_ADMIN_ROLE", "boss");
        assertThat(problems()).anyMatch(p -> p.startsWith("PGFERRY_INSTANCES_NEW_HOST: missing"))
                .anyMatch(p -> p.startsWith("PGFERRY_INSTANCES_OLD_PORT=abc: not a port number"))
                .anyMatch(p -> p.startsWith("PGFERRY_INSTANCES_OLD_SSLMODE=sometimes: unknown"))
                .anyMatch(p -> p.startsWith("PGFERRY_INSTANCES_OLD_PASSWORD_FILE: both"))
                .anyMatch(p -> p.startsWith("PGFERRY_MAPPINGS_MAIN_MODE=go: unknown; use one of plan, run"))
                .anyMatch(p -> p.startsWith("PGFERRY_MAPPINGS_OTHER_SOURCE=nowhere: no such instance"))
                .anyMatch(p -> p.startsWith("PGFERRY_MAPPINGS_ORDERS_EU_SOURCE: unknown variable"))
                .anyMatch(p -> p.startsWith("PGFERRY_USERS_ADMIN_ROLE=boss: unknown"));
    }

    @Test
    void tlsFilesAreReadAsPgDumpAndTheDriverWillReadThemAndGoIntoTheToolsConnectionString(@TempDir Path dir)
            throws Exception {
        dev.pgferry.testing.TestCertificates ca = dev.pgferry.testing.TestCertificates.authority(dir, "unit");
        Path[] client = ca.client("client", "migrator");
        env.put("PGFERRY_INSTANCES_OLD_SSLMODE", "verify-full");
        env.put("PGFERRY_INSTANCES_OLD_SSLROOTCERT", ca.certificate().toString());
        env.put("PGFERRY_INSTANCES_OLD_SSLCERT", client[0].toString());
        env.put("PGFERRY_INSTANCES_OLD_SSLKEY", client[1].toString());
        Instance old = validate().instances().get("old");
        assertThat(old.tls()).isEqualTo(new TlsFiles(ca.certificate(), client[0], client[1], "EC"));
        assertThat(dev.pgferry.pg.ConnInfo.of(old, "shop", false)).endsWith("sslmode='verify-full' "
                + "application_name='pgferry' sslrootcert='" + ca.certificate() + "' sslcert='" + client[0]
                + "' sslkey='" + client[1] + "'");
        assertThat(dev.pgferry.pg.ConnInfo.forSubscription(old, "shop")).as("paths on pgferry's machine only")
                .doesNotContain("sslrootcert").doesNotContain("sslkey");

        // a key its group may read: pg_dump would refuse it
        Files.setPosixFilePermissions(client[1], java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(problems()).singleElement().asString().startsWith("PGFERRY_INSTANCES_OLD_SSLKEY=" + client[1]
                + ": readable by others (mode rw-r-----)").contains("chmod 600").contains("defaultMode 0440");
        // a PKCS#1 key: pgjdbc reads PEM keys as PKCS#8 only
        Path pkcs1 = dir.resolve("old-style.key");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(pkcs1, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        env.put("PGFERRY_INSTANCES_OLD_SSLKEY", pkcs1.toString());
        assertThat(problems()).singleElement().asString().contains("not an unencrypted PKCS#8 PEM key")
                .contains("openssl pkcs8 -topk8 -nocrypt").doesNotContain("MIIB");
        // half a client certificate, no CA for verify-full, a file that is not there, TLS files with TLS off
        env.remove("PGFERRY_INSTANCES_OLD_SSLKEY");
        env.remove("PGFERRY_INSTANCES_OLD_SSLROOTCERT");
        env.put("PGFERRY_INSTANCES_NEW_SSLROOTCERT", "/nonexistent/ca.crt");
        env.put("PGFERRY_INSTANCES_NEW_SSLMODE", "disable");
        assertThat(problems()).containsExactlyInAnyOrder(
                "PGFERRY_INSTANCES_OLD_SSLCERT and PGFERRY_INSTANCES_OLD_SSLKEY: set both (the client certificate and "
                        + "its key) or neither",
                "PGFERRY_INSTANCES_OLD_SSLMODE=verify-full needs PGFERRY_INSTANCES_OLD_SSLROOTCERT: the path of the CA "
                        + "bundle that signed the server's certificate (your provider publishes it)",
                "PGFERRY_INSTANCES_NEW_SSLROOTCERT=/nonexistent/ca.crt: no such file; mount it (Kubernetes: a Secret "
                        + "volume) or fix the path",
                "PGFERRY_INSTANCES_NEW_SSLMODE=disable with TLS files set: TLS is off, so they would not be used; set "
                        + "PGFERRY_INSTANCES_NEW_SSLMODE to verify-full (or verify-ca, require) or remove the files");
    }

    @Test
    void twoMappingsMayNotWriteTheSameDestinationDatabase() {
        env.put("PGFERRY_INSTANCES_THIRD_HOST", "third.db");
        env.put("PGFERRY_INSTANCES_THIRD_USER", "migrator");
        env.put("PGFERRY_MAPPINGS_SECOND_SOURCE", "third");
        env.put("PGFERRY_MAPPINGS_SECOND_DESTINATION", "new");
        env.put("PGFERRY_MAPPINGS_SECOND_DATABASES", "billing");
        assertThat(problems()).singleElement().asString().contains("database 'billing' on destination new")
                .contains("PGFERRY_MAPPINGS_SECOND_DATABASES");
    }

    @Test
    void needsAnOperatorAndAMapping() {
        env.put("PGFERRY_USERS_ADMIN_ROLE", "viewer");
        env.keySet().removeIf(k -> k.startsWith("PGFERRY_MAPPINGS_"));
        assertThat(problems()).anyMatch(p -> p.contains("no user has the operator role"))
                .anyMatch(p -> p.contains("no mapping is configured"));
    }

    @Test
    void dataOnlyCopiesNativelyAndRefusesTheSnapshotCopy() {
        env.put("PGFERRY_MAPPINGS_MAIN_CONTENT", "data-only");
        assertThat(validate().mapping("main").orElseThrow().copyMethod()).isEqualTo(CopyMethod.NATIVE);
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_METHOD", "snapshot");
        assertThat(problems()).singleElement().asString().startsWith("PGFERRY_MAPPINGS_MAIN_COPY_METHOD=snapshot: "
                + "not with CONTENT=data-only");
    }

    @Test
    void copyLimitsAreReadAndChecked() {
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_WORKERS", "8");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_MAX_RATE", "0");
        assertThat(validate().mapping("main").orElseThrow().copyLimits()).isEqualTo(new Mapping.CopyLimits(8, 0));
        assertThat(validate().mapping("main").orElseThrow().copyLimits().maintenanceWorkMem())
                .as("the index builds' memory by default").isEqualTo("262144kB");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM", "1 GB");
        assertThat(validate().mapping("main").orElseThrow().copyLimits().maintenanceWorkMem()).isEqualTo("1048576kB");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_WORKERS", "0");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_MAX_RATE", "fast");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM", "256MB'; DROP TABLE x; --");
        assertThat(problems()).containsExactlyInAnyOrder(
                "PGFERRY_MAPPINGS_MAIN_COPY_WORKERS=0: use a number of workers from 1 to 64",
                "PGFERRY_MAPPINGS_MAIN_COPY_MAX_RATE=fast: use a size per second such as 100MB, or 0 for no limit",
                "PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM=256MB'; DROP TABLE x; --: use a size from 1MB to "
                        + "2047GB such as 256MB or 1GB (the memory of each index build on the destination)");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_WORKERS", "2");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_MAX_RATE", "0");
        env.put("PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM", "512kB");
        assertThat(problems()).singleElement().asString().startsWith("PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM"
                + "=512kB: use a size from 1MB");
    }

    @Test
    void sameInstanceOnBothSidesIsRefused() {
        env.put("PGFERRY_MAPPINGS_MAIN_DESTINATION", "old");
        assertThat(problems()).singleElement().asString().startsWith("PGFERRY_MAPPINGS_MAIN_DESTINATION=old: same");
    }

    @Test
    void webhooksAreReadWithTheirFormatEventsAndSecret() {
        env.put("PGFERRY_NOTIFY_1_URL", "https://hooks.slack.com/services/T0/B0/token-xyz");
        env.put("PGFERRY_NOTIFY_1_FORMAT", "slack");
        env.put("PGFERRY_NOTIFY_1_EVENTS", "ready, failure");
        env.put("PGFERRY_NOTIFY_OPS_URL", "http://receiver.ops:8080/pgferry");
        env.put("PGFERRY_NOTIFY_OPS_SECRET", "hmac-key");
        PgferryConfig config = validate();
        assertThat(config.webhooks()).hasSize(2);
        NotifyTarget slack = config.webhooks().get(0);
        assertThat(slack.name()).isEqualTo("1");
        assertThat(slack.format()).isEqualTo(NotifyTarget.Format.SLACK);
        assertThat(slack.events()).containsExactlyInAnyOrder("ready", "failure");
        assertThat(slack.signed()).isFalse();
        assertThat(slack.shownUrl()).isEqualTo("https://hooks.slack.com/…");
        assertThat(slack.toString()).doesNotContain("token-xyz");
        NotifyTarget ops = config.webhooks().get(1);
        assertThat(ops.format()).isEqualTo(NotifyTarget.Format.JSON);
        assertThat(ops.events()).containsExactlyInAnyOrderElementsOf(NotifyTarget.EVENTS);
        assertThat(ops.signed()).isTrue();
        assertThat(ops.shownUrl()).isEqualTo("http://receiver.ops:8080/…");
        assertThat(ops.toString()).doesNotContain("hmac-key");
    }

    @Test
    void aBadWebhookIsNamedWithoutShowingItsAddress() {
        env.put("PGFERRY_NOTIFY_1_URL", "ftp://hooks.example/secret-token");
        env.put("PGFERRY_NOTIFY_2_URL", "https://hooks.example/has space/secret-token");
        env.put("PGFERRY_NOTIFY_3_URL", "https://hooks.example/x");
        env.put("PGFERRY_NOTIFY_3_FORMAT", "discord");
        env.put("PGFERRY_NOTIFY_3_EVENTS", "phase,lag");
        env.put("PGFERRY_NOTIFY_4_URL", "https://hooks.example/y");
        env.put("PGFERRY_NOTIFY_4_FORMAT", "teams");
        env.put("PGFERRY_NOTIFY_4_SECRET", "k");
        env.put("PGFERRY_NOTIFY_5_FORMAT", "json");
        env.put("PGFERRY_NOTIFY_5_ADDRESS", "https://hooks.example/z");
        List<String> problems = problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_1_URL: not an http:// or "
                + "https:// address"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_2_URL: not a valid URL at "
                + "character"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_3_FORMAT=discord: unknown; "
                + "use one of json, slack, teams"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_3_EVENTS=phase,lag: unknown "
                + "event lag; use a comma-separated list of phase, ready, alert, action, failure"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_4_SECRET: signs json "
                + "messages only"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_5_URL: missing"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("PGFERRY_NOTIFY_5_ADDRESS: unknown "
                + "variable"));
        assertThat(problems).noneSatisfy(p -> assertThat(p).contains("secret-token"));
    }

    private PgferryConfig validate() {
        return ConfigurationValidator.validate(bind(), stringEnv());
    }

    private java.util.List<String> problems() {
        return catchThrowableOfType(InvalidConfigurationException.class,
                () -> ConfigurationValidator.validate(bind(), stringEnv())).problems();
    }

    private PgferryProperties bind() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        return new Binder(ConfigurationPropertySources.from(environment.getPropertySources()))
                .bindOrCreate("pgferry", PgferryProperties.class);
    }

    private Map<String, String> stringEnv() {
        Map<String, String> strings = new HashMap<>();
        env.forEach((k, v) -> strings.put(k, v.toString()));
        return strings;
    }
}
