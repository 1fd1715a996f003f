package dev.pgferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgferry.PgferryApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A bad configuration stops start-up with every problem listed, before any server is contacted. */
class StartupValidationTest {

    @Test
    void startupStopsWithOneMessagePerProblem() {
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(PgferryApplication.class)
                .web(WebApplicationType.NONE)
                .properties("pgferry.instances.old.host=old.db", "pgferry.mappings.main.source=old",
                        "pgferry.mappings.main.destination=missing", "pgferry.users.admin.password=secret-pw")
                .run());
        Throwable cause = failure;
        while (cause != null && !(cause instanceof InvalidConfigurationException)) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOf(InvalidConfigurationException.class);
        InvalidConfigurationException invalid = (InvalidConfigurationException) cause;
        assertThat(invalid.problems()).anyMatch(p -> p.startsWith("PGFERRY_INSTANCES_OLD_USER: missing"))
                .anyMatch(p -> p.startsWith("PGFERRY_MAPPINGS_MAIN_DESTINATION=missing: no such instance"))
                .anyMatch(p -> p.startsWith("PGFERRY_USERS_<NAME>_ROLE: no user has the operator role"));
        FailureAnalysis analysis = new InvalidConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).contains("problem(s)").contains("PGFERRY_INSTANCES_OLD_USER")
                .doesNotContain("secret-pw");
    }
}
