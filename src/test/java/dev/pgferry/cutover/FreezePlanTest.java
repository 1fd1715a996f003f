package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.cutover.FreezePlan.RoleFacts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which roles a freeze holds back, which it leaves alone and why, and the exact SQL both ways. */
class FreezePlanTest {

    private static RoleFacts app(String name, long sessions, String... elsewhere) {
        return new RoleFacts(name, false, false, false, true, sessions, List.of(elsewhere));
    }

    @Test
    void everyApplicationLoginRoleIsFrozenAndTheOthersAreListedWithTheReason() {
        FreezePlan plan = FreezePlan.of(List.of("shop", "Bill ing"), List.of(
                app("app", 3),
                app("reporting", 0, "warehouse"),
                new RoleFacts("nobody_here", false, false, false, false, 0, List.of()),
                new RoleFacts("pgferry", false, true, true, true, 2, List.of()),
                new RoleFacts("admin", true, false, false, true, 1, List.of()),
                new RoleFacts("standby", false, true, false, true, 0, List.of())), Map.of("Bill ing", "off"));
        assertThat(plan.roles()).extracting(FreezePlan.RoleToFreeze::name).containsExactly("app", "reporting");
        assertThat(plan.sessionsToEnd()).isEqualTo(3);
        assertThat(plan.leftAlone()).extracting(FreezePlan.RoleLeftAlone::name)
                .containsExactly("pgferry", "admin", "standby");
        assertThat(plan.leftAlone().get(1).reason()).startsWith("superuser");
        assertThat(plan.warnings()).anyMatch(w -> w.contains("reporting also has sessions on warehouse"))
                .anyMatch(w -> w.contains("role admin is not frozen (superuser) and has 1 session(s)"))
                .noneMatch(w -> w.contains("pgferry"));
        assertThat(plan.changes()).containsExactly(FreezeChange.roleLogin("app"), FreezeChange.roleLogin("reporting"),
                FreezeChange.databaseReadOnly("shop", null), FreezeChange.databaseReadOnly("Bill ing", "off"));
    }

    @Test
    void theCommandsQuoteEveryNameAndTheUndoRestoresThePreviousValues() {
        FreezePlan plan = FreezePlan.of(List.of("O'Brien \"db\""), List.of(app("Ünï \"app\"", 1)),
                Map.of("O'Brien \"db\"", "on"));
        assertThat(plan.commands()).containsExactly(
                "ALTER ROLE \"Ünï \"\"app\"\"\" NOLOGIN;",
                "ALTER DATABASE \"O'Brien \"\"db\"\"\" SET default_transaction_read_only = on;",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                        + "AND datname IN ('O''Brien \"db\"') AND usename IN ('Ünï \"app\"');");
        assertThat(plan.undoCommands()).containsExactly(
                "ALTER ROLE \"Ünï \"\"app\"\"\" LOGIN;",
                "ALTER DATABASE \"O'Brien \"\"db\"\"\" SET default_transaction_read_only = 'on';");
        assertThat(FreezeChange.databaseReadOnly("x", null).restoreSql())
                .isEqualTo("ALTER DATABASE \"x\" RESET default_transaction_read_only");
    }

    @Test
    void withoutApplicationRolesOnlyTheDatabasesChangeAndNoSessionIsEnded() {
        FreezePlan plan = FreezePlan.of(List.of("shop"), List.of(), Map.of());
        assertThat(plan.roles()).isEmpty();
        assertThat(plan.commands()).containsExactly("ALTER DATABASE \"shop\" SET default_transaction_read_only = on;");
    }
}
