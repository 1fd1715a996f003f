package dev.pgferry.reconcile;

import dev.pgferry.status.Lease;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The lease's pure parts: its lock key, how a holder names itself and is named, what passive says. */
class LeaseTest {

    @Test
    void theLockKeyIsStablePerMappingAndPositive() {
        assertThat(LeaseLocks.lockKey("orders")).isEqualTo(LeaseLocks.lockKey("orders")).isNotEqualTo(LeaseLocks.lockKey("billing"))
                .isNotNegative();
        assertThat(LeaseLocks.lockKey("ünï-code")).isNotNegative();
    }

    @Test
    void aHolderNamesItselfInItsSessionAndIsReadBackFromIt() {
        String name = LeaseLocks.applicationName("pgferry-7f9c-abcde:1");
        assertThat(name).isEqualTo("pgferry lease pgferry-7f9c-abcde:1");
        assertThat(LeaseLocks.holderOf(name, 42)).isEqualTo("pgferry-7f9c-abcde:1");
        assertThat(LeaseLocks.holderOf("psql", 42)).isEqualTo("a session (pid 42, application psql)");
        assertThat(LeaseLocks.holderOf(null, 42)).isEqualTo("a session (pid 42)");
    }

    @Test
    void aLongHostNameIsCutToWhatPostgresqlKeeps() {
        String name = LeaseLocks.applicationName("a-very-long-pod-name-in-a-very-long-namespace-éééé:12345");
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(name).startsWith("pgferry lease a-very-long");
    }

    @Test
    void onlyTheHolderActsAndTheOthersSayWhoDoes() {
        Instant since = Instant.parse("2026-12-01T10:00:00Z");
        assertThat(Lease.held("me:1", since).passiveReason()).isNull();
        assertThat(Lease.passive("pod-b:7", since).passiveReason()).isEqualTo("passive: another pgferry (pod-b:7) "
                + "holds this mapping's lease since 2026-12-01T10:00:00Z; this one only observes");
        assertThat(Lease.unknown("destination dst: Connection refused").passiveReason())
                .contains("cannot be taken (destination dst: Connection refused)");
        assertThat(Lease.passive("pod-b:7", since).held()).isFalse();
    }
}
