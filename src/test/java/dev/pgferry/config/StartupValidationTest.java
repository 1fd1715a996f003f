package dev.pgferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgferry.PgferryApplication;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Each kind of bad configuration stops a real start-up, before any server is contacted, with a
 * message naming the variable; no secret is printed.
 */
class StartupValidationTest {

    private static final List<String> VALID = List.of(
            "pgferry.instances.old.host=old.db", "pgferry.instances.old.user=u",
            "pgferry.instances.old.password=instance-secret",
            "pgferry.instances.new.host=new.db", "pgferry.instances.new.user=u",
            "pgferry.mappings.main.source=old", "pgferry.mappings.main.destination=new",
            "pgferry.mappings.main.databases=shop",
            "pgferry.users.admin.password=user-secret", "pgferry.users.admin.role=operator");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pgferry.instances.new.host=                       | PGFERRY_INSTANCES_NEW_HOST: missing",
        "pgferry.instances.old.port=543x                   | PGFERRY_INSTANCES_OLD_PORT=543x: not a port number",
        "pgferry.instances.old.sslmode=always              | PGFERRY_INSTANCES_OLD_SSLMODE=always: unknown",
        "pgferry.instances.old.password-file=/nonexistent  | PGFERRY_INSTANCES_OLD_PASSWORD_FILE: both",
        "pgferry.instances.new.password-file=/nonexistent  | PGFERRY_INSTANCES_NEW_PASSWORD_FILE=/nonexistent: file not found",
        "pgferry.mappings.main.source=nowhere              | PGFERRY_MAPPINGS_MAIN_SOURCE=nowhere: no such instance",
        "pgferry.mappings.main.destination=old             | PGFERRY_MAPPINGS_MAIN_DESTINATION=old: same instance",
        "pgferry.mappings.main.mode=go                     | PGFERRY_MAPPINGS_MAIN_MODE=go: unknown",
        "pgferry.mappings.main.copy-method=rsync           | PGFERRY_MAPPINGS_MAIN_COPY_METHOD=rsync: unknown",
        "pgferry.mappings.main.tables-without-key=ignore   | PGFERRY_MAPPINGS_MAIN_TABLES_WITHOUT_KEY=ignore: unknown",
        "pgferry.mappings.main.role-conflict=overwrite     | PGFERRY_MAPPINGS_MAIN_ROLE_CONFLICT=overwrite: unknown",
        "pgferry.mappings.second.source=new;pgferry.mappings.second.destination=new | PGFERRY_MAPPINGS_SECOND_DESTINATION=new: same",
        "pgferry.instances.third.host=t;pgferry.instances.third.user=u;pgferry.mappings.second.source=third;pgferry.mappings.second.destination=new;pgferry.mappings.second.databases=shop | database 'shop' on destination new is already written by mapping main",
        "pgferry.users.admin.role=viewer                   | PGFERRY_USERS_<NAME>_ROLE: no user has the operator role",
        "pgferry.users.admin.role=root                     | PGFERRY_USERS_ADMIN_ROLE=root: unknown",
        "pgferry.users.admin.password=                     | PGFERRY_USERS_ADMIN_PASSWORD: missing",
        "pgferry.poll-interval=soon                        | PGFERRY_POLL_INTERVAL=soon: not a valid value",
        "pgferry.ready.max-lag-bytes=lots                  | PGFERRY_READY_MAX_LAG_BYTES=lots: not a valid value",
        "pgferry.user-file=/nonexistent/users              | PGFERRY_USER_FILE=/nonexistent/users: cannot be read",
        "pgferry.exact-count-interval=-1h                  | PGFERRY_EXACT_COUNT_INTERVAL=PT-1H: must not be negative",
    })
    void startupStopsNamingTheVariable(String change, String expected) {
        List<String> properties = new ArrayList<>(VALID);
        properties.addAll(Arrays.asList(change.split(";")));
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(PgferryApplication.class)
                .web(WebApplicationType.NONE).properties(properties.toArray(String[]::new)).run());
        assertThat(failure).as("start-up must fail").isNotNull();
        FailureAnalysis analysis = analyze(failure);
        assertThat(analysis.getDescription()).contains(expected).doesNotContain("instance-secret")
                .doesNotContain("user-secret");
    }

    /** The same contract read from environment variables, as Kubernetes passes it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "PGFERRY_USER_FILE=/nonexistent/users          | PGFERRY_USER_FILE=/nonexistent/users: cannot be read",
        "PGFERRY_EXACT_COUNT_INTERVAL=-1h              | PGFERRY_EXACT_COUNT_INTERVAL=PT-1H: must not be negative",
        "PGFERRY_READY_MAX_LAG_SECONDS=-5              | PGFERRY_READY_MAX_LAG_SECONDS: must not be negative",
        "PGFERRY_MAPPINGS_MAIN_ALLOW_FREEZE=yes please  | PGFERRY_MAPPINGS_MAIN_ALLOW_FREEZE=yes please: use true or false",
    })
    void environmentVariablesBindToTheSameKeys(String change, String expected) {
        Map<String, Object> env = new HashMap<>(Map.of(
                "PGFERRY_INSTANCES_OLD_HOST", "old.db", "PGFERRY_INSTANCES_OLD_USER", "u",
                "PGFERRY_INSTANCES_NEW_HOST", "new.db", "PGFERRY_INSTANCES_NEW_USER", "u",
                "PGFERRY_MAPPINGS_MAIN_SOURCE", "old", "PGFERRY_MAPPINGS_MAIN_DESTINATION", "new",
                "PGFERRY_USERS_ADMIN_PASSWORD", "user-secret", "PGFERRY_USERS_ADMIN_ROLE", "operator"));
        String[] kv = change.split("=", 2);
        env.put(kv[0], kv[1]);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(PgferryApplication.class)
                .web(WebApplicationType.NONE).environment(environment).run());
        assertThat(failure).as("start-up must fail").isNotNull();
        assertThat(analyze(failure).getDescription()).contains(expected).doesNotContain("user-secret");
    }

    private static FailureAnalysis analyze(Throwable failure) {
        for (FailureAnalyzer analyzer : List.of(new InvalidConfigurationFailureAnalyzer(),
                new PropertyBindFailureAnalyzer())) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("no pgferry analysis for " + failure);
    }
}
