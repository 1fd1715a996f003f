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

/** The role checks, and the checks for a destination user that is no superuser, in every situation. */
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

    @Test
    void aDestinationUserThatIsNoSuperuserMustBeAbleToBecomeEveryExistingOwner() {
        RoleInfo ledger = new RoleInfo("ledger", false, true, false, false, false, false, false, -1);
        RoleInfo postgres = new RoleInfo("postgres", true, true, true, true, true, true, true, -1);
        SourceFacts facts = new SourceFacts(List.of(), 0, Set.of("plpgsql", "pg_trgm", "adminpack"), List.of(), true,
                Set.of("app"), null, Map.of(
                        "app", new SourceFacts.Owned(40, List.of("table public.a", "table public.b", "type public.t")),
                        "ledger", new SourceFacts.Owned(2, List.of("schema ledger", "table ledger.entries")),
                        "newcomer", new SourceFacts.Owned(1, List.of("view public.v")),
                        "postgres", new SourceFacts.Owned(1, List.of("schema public"))),
                List.of("event trigger audit"));
        // app granted to the user, ledger not, newcomer missing (pgferry creates it), postgres a superuser
        ServerFacts destination = new ServerFacts(18, Map.of(), 0, 0, 0, 0,
                new UserRights("ferry", false, false, true, true, false),
                Map.of("app", APP, "ledger", ledger, "postgres", postgres), List.of(), Map.of(), Map.of(),
                Set.of("pg_trgm", "adminpack"), true, Set.of(), Set.of("app"), Set.of("adminpack"), true);
        List<Check> checks = new ArrayList<>();
        NonSuperuserChecks.add(input(server(true, true, Map.of()), destination, facts), checks);
        Check owners = find(checks, "destination.owners");
        assertThat(owners.level()).isEqualTo(Check.Level.BLOCK);
        assertThat(owners.message()).contains("ledger, owner of schema ledger, table ledger.entries; postgres (a "
                + "superuser there), owner of schema public").doesNotContain("app,").doesNotContain("newcomer");
        Check superuserOnly = find(checks, "destination.superuser_objects");
        assertThat(superuserOnly.message()).endsWith("event trigger audit, extension adminpack (not trusted)");

        // as a superuser there is nothing to say
        List<Check> asSuperuser = new ArrayList<>();
        NonSuperuserChecks.add(input(server(true, true, Map.of()), server(true, true, Map.of("postgres", postgres)),
                facts), asSuperuser);
        assertThat(asSuperuser).isEmpty();
    }

    private static List<Check> checks(ServerFacts source, ServerFacts destination) {
        SourceFacts facts = new SourceFacts(List.of(), 0, Set.of(), List.of(), true, Set.of("app", "admin"), null);
        List<Check> checks = new ArrayList<>();
        RoleChecks.add(input(source, destination, facts), checks);
        return checks;
    }

    private static CheckInput input(ServerFacts source, ServerFacts destination, SourceFacts facts) {
        Mapping mapping = new Mapping("m", INSTANCE, INSTANCE, List.of("db"), Mode.RUN, CopyMethod.NATIVE);
        ObservedDatabase observed = new ObservedDatabase("db", Instant.now(), null, null, true, false, 0, false,
                Optional.empty(), Optional.empty(), List.of(), false, Optional.of(facts));
        return new CheckInput(mapping, observed, new ObservedInstance("s", null, source, Map.of(), Set.of(), Set.of()),
                new ObservedInstance("d", null, destination, Map.of(), Set.of(), Set.of()),
                java.util.OptionalInt.of(15), null);
    }

    private static ServerFacts server(boolean superuser, boolean passwordsReadable, Map<String, RoleInfo> roles) {
        return new ServerFacts(15, Map.of(), 0, 0, 0, 0, new UserRights("u", superuser, true, true, true, true),
                roles, List.of(), Map.of(), Map.of(), Set.of(), passwordsReadable, Set.of());
    }

    private static Check find(List<Check> checks, String id) {
        return checks.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }
}
