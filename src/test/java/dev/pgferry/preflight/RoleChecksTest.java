package dev.pgferry.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import dev.pgferry.monitor.ServerFacts.UserRights;
import dev.pgferry.monitor.SourceFacts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The role checks whose situations the shared test servers (superuser everywhere) cannot stage. */
class RoleChecksTest {

    private static final Instance INSTANCE = new Instance("i", "h", 5432, "u", Secret.none(), "prefer", "postgres");
    private static final RoleInfo APP = new RoleInfo("app", false, true, false, false, true, false, false, -1);
    private static final RoleInfo ADMIN = new RoleInfo("admin", true, true, true, true, true, true, true, -1);

    @Test
    void withoutReadablePasswordsTheLoginRolesThatNeedOneAreListed() {
        List<Check> checks = checks(server(false, false, Map.of("app", APP, "admin", ADMIN)),
                server(false, true, Map.of()));
        Check passwords = find(checks, "roles.passwords");
        assertThat(passwords.level()).isEqualTo(Check.Level.WARN);
        assertThat(passwords.message()).contains("app").contains("admin");
        assertThat(passwords.fix()).contains("ALTER ROLE <role> PASSWORD");
    }

    @Test
    void aManagedDestinationGetsRolesWithoutPrivilegedAttributesAndAWarning() {
        List<Check> checks = checks(server(true, true, Map.of("app", APP, "admin", ADMIN)),
                server(false, false, Map.of()));
        Check privileged = find(checks, "roles.privileged_attributes");
        assertThat(privileged.level()).isEqualTo(Check.Level.WARN);
        assertThat(privileged.message()).contains("admin (SUPERUSER REPLICATION BYPASSRLS)").doesNotContain("app (");
        assertThat(find(checks, "roles.passwords").level()).isEqualTo(Check.Level.OK);
    }

    @Test
    void theDatabasePageListsWhereEachNeededRoleStands() {
        RoleInfo otherApp = new RoleInfo("app", false, true, false, true, true, false, false, 5);
        RoleInfo reader = new RoleInfo("reader", false, true, false, false, false, false, false, -1);
        ServerFacts source = server(true, true, Map.of("app", APP, "admin", ADMIN, "reader", reader));
        ServerFacts destination = server(true, true, Map.of("app", otherApp, "reader", reader));
        assertThat(RoleStates.of(Set.of("app", "admin", "reader"), source, destination))
                .extracting(RoleStates.RoleState::role, RoleStates.RoleState::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("admin", "missing"),
                        org.assertj.core.groups.Tuple.tuple("app", "differs"),
                        org.assertj.core.groups.Tuple.tuple("reader", "present"));
        ServerFacts unreadable = server(false, false, Map.of("app", APP, "reader", reader));
        ServerFacts noPassword = new ServerFacts(15, Map.of(), 0, 0, 0, 0,
                new UserRights("u", true, true, true, true, true), Map.of("app", APP), List.of(), Map.of(), Map.of(),
                Set.of(), true, Set.of("app"));
        assertThat(RoleStates.of(Set.of("app"), unreadable, noPassword)).singleElement()
                .extracting(RoleStates.RoleState::state).isEqualTo("needs-password");
    }

    private static List<Check> checks(ServerFacts source, ServerFacts destination) {
        Mapping mapping = new Mapping("m", INSTANCE, INSTANCE, List.of("db"), Mode.RUN, CopyMethod.NATIVE);
        SourceFacts facts = new SourceFacts(List.of(), 0, Set.of(), List.of(), true, Set.of("app", "admin"), null);
        ObservedDatabase observed = new ObservedDatabase("db", Instant.now(), null, null, true, false, 0, false,
                Optional.empty(), Optional.empty(), List.of(), false, Optional.of(facts));
        List<Check> checks = new ArrayList<>();
        RoleChecks.add(new CheckInput(mapping, observed,
                new ObservedInstance("s", null, source, Map.of(), Set.of(), Set.of()),
                new ObservedInstance("d", null, destination, Map.of(), Set.of(), Set.of()),
                java.util.OptionalInt.of(15), null), checks);
        return checks;
    }

    private static ServerFacts server(boolean superuser, boolean passwordsReadable, Map<String, RoleInfo> roles) {
        return new ServerFacts(15, Map.of(), 0, 0, 0, 0, new UserRights("u", superuser, true, true, true, true),
                roles, List.of(), Map.of(), Map.of(), Set.of(), passwordsReadable, Set.of());
    }

    private static Check find(List<Check> checks, String id) {
        return checks.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }
}
