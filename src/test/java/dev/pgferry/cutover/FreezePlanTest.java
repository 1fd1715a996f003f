package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.Mapping.FreezeRoles;
import dev.pgferry.cutover.FreezePlan.Membership;
import dev.pgferry.cutover.FreezePlan.RoleFacts;
import dev.pgferry.cutover.FreezePlan.Use;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which roles a freeze holds back (only those that use the mapping's databases, and why), which it
 * leaves alone and why, and the exact SQL both ways.
 */
class FreezePlanTest {

    private static RoleFacts login(String name, long sessions, String... elsewhere) {
        return new RoleFacts(name, true, false, false, false, sessions, List.of(elsewhere));
    }

    private static RoleFacts group(String name) {
        return new RoleFacts(name, false, false, false, false, 0, List.of());
    }

    private static FreezePlan plan(List<RoleFacts> roles, List<Use> uses, List<Membership> memberships,
            FreezeRoles configured) {
        return FreezePlan.of(List.of("shop"), roles, uses, memberships, configured, Map.of());
    }

    @Test
    void onlyRolesThatUseTheMappingsDatabasesAreFrozenEachWithItsReasons() {
        FreezePlan plan = plan(List.of(login("app", 3), login("owner_login", 0), login("member_login", 0),
                login("monitoring", 0, "postgres"), login("other_app", 0, "warehouse"), group("app_owner"),
                login("reader", 0), login("settings_user", 0)),
                List.of(new Use("app_owner", "shop", "owns objects"), new Use("owner_login", "shop",
                        "owns the database"), new Use("reader", "shop", "holds privileges on objects"),
                        new Use("settings_user", "shop", "has settings in the database")),
                List.of(new Membership("app_owner", "member_login")), FreezeRoles.NONE);
        assertThat(plan.roles()).extracting(FreezePlan.RoleToFreeze::name)
                .containsExactly("app", "member_login", "owner_login", "reader", "settings_user");
        assertThat(plan.roles().get(0).reasons()).containsExactly("has 3 session(s) on the mapping's databases");
        assertThat(plan.roles().get(1).reasons()).containsExactly("member of app_owner, which owns objects in shop");
        assertThat(plan.roles().get(2).reasons()).containsExactly("owns the database in shop");
        // a login role that may only connect through PUBLIC's default CONNECT keeps its login
        assertThat(plan.changes()).doesNotContain(FreezeChange.roleLogin("monitoring"),
                FreezeChange.roleLogin("other_app"), FreezeChange.roleLogin("app_owner"));
        assertThat(plan.sessionsToEnd()).isEqualTo(3);
    }

    @Test
    void membershipsCountThroughSeveralLevels() {
        assertThat(FreezePlan.groupsOf("alice", List.of(new Membership("team", "alice"),
                new Membership("owners", "team"), new Membership("owners", "bob")))).containsExactly("team", "owners");
    }

    @Test
    void configuredRolesAreAddedOrNeverFrozenAndTheOthersAreListedWithTheReason() {
        FreezePlan plan = FreezePlan.of(List.of("shop", "Bill ing"), List.of(
                login("app", 3),
                login("batch", 0),
                login("reporting", 1, "warehouse"),
                new RoleFacts("pgferry", true, false, true, true, 2, List.of()),
                new RoleFacts("admin", true, true, false, false, 1, List.of()),
                new RoleFacts("standby", true, false, true, false, 0, List.of())),
                List.of(new Use("standby", "shop", "was granted CONNECT on the database")), List.of(),
                new FreezeRoles(List.of("batch", "ghost"), List.of("app")), Map.of("Bill ing", "off"));
        assertThat(plan.roles()).extracting(FreezePlan.RoleToFreeze::name).containsExactly("batch", "reporting");
        assertThat(plan.roles().get(0).reasons()).containsExactly("listed in FREEZE_ROLES");
        assertThat(plan.leftAlone()).extracting(FreezePlan.RoleLeftAlone::name)
                .containsExactly("admin", "app", "pgferry", "standby");
        assertThat(plan.leftAlone()).extracting(FreezePlan.RoleLeftAlone::reason).anyMatch(r -> r.startsWith("superuser"))
                .contains("listed in FREEZE_EXCLUDE_ROLES");
        assertThat(plan.warnings()).anyMatch(w -> w.contains("reporting also uses warehouse (not in this mapping)"))
                .anyMatch(w -> w.contains("role admin is not frozen (superuser) and has 1 session(s)"))
                .anyMatch(w -> w.contains("role app is not frozen (listed in FREEZE_EXCLUDE_ROLES) and has 3"))
                .anyMatch(w -> w.contains("FREEZE_ROLES lists ghost, which is no role on the source"))
                .noneMatch(w -> w.contains("pgferry"));
        assertThat(plan.changes()).containsExactly(FreezeChange.roleLogin("batch"), FreezeChange.roleLogin("reporting"),
                FreezeChange.databaseReadOnly("shop", null), FreezeChange.databaseReadOnly("Bill ing", "off"));
    }

    @Test
    void theCommandsQuoteEveryNameAndTheUndoRestoresThePreviousValues() {
        FreezePlan plan = FreezePlan.of(List.of("O'Brien \"db\""), List.of(login("Ünï \"app\"", 1)), List.of(),
                List.of(), FreezeRoles.NONE, Map.of("O'Brien \"db\"", "on"));
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
        FreezePlan plan = plan(List.of(login("idle", 0)), List.of(), List.of(), FreezeRoles.NONE);
        assertThat(plan.roles()).isEmpty();
        assertThat(plan.commands()).containsExactly("ALTER DATABASE \"shop\" SET default_transaction_read_only = on;");
    }
}
