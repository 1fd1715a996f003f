package dev.pgferry.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Secret;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "orders|\"orders\"",
        "Order Items|\"Order Items\"",
        "select|\"select\"",
        "we\"ird|\"we\"\"ird\"",
        "Über_Tabelle|\"Über_Tabelle\"",
    })
    void quotesEveryIdentifier(String raw, String quoted) {
        assertThat(Identifiers.quote(raw)).isEqualTo(quoted);
    }

    @Test
    void refusesEmptyAndNulIdentifiers() {
        assertThatThrownBy(() -> Identifiers.quote("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identifiers.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void literalsDoubleQuotesAndEscapeBackslashes() {
        assertThat(Identifiers.literal("it's")).isEqualTo("'it''s'");
        assertThat(Identifiers.literal("a\\b'c")).isEqualTo("E'a\\\\b''c'");
    }

    @Test
    void conninfoQuotesValuesAndLeavesThePasswordOutUnlessAsked() {
        Instance instance = new Instance("src", "db.example.com", 5433, "mig'rator", Secret.of("p a\\ss'"), "require",
                "postgres");
        assertThat(ConnInfo.of(instance, "My DB", false)).isEqualTo("host='db.example.com' port='5433' "
                + "dbname='My DB' user='mig\\'rator' sslmode='require' application_name='pgferry'");
        assertThat(ConnInfo.of(instance, "shop", true)).contains("password='p a\\\\ss\\''");
    }

    @Test
    void theSubscriptionConnectsAtTheReplicationAddressAndTheProbeCarriesNoSecret() {
        Instance instance = new Instance("src", "pgbouncer.local", 6432, "migrator", Secret.of("s3cret"), "prefer",
                "postgres", new Instance.ReplicationAddress("10.0.3.7", 5432, "require"));
        assertThat(ConnInfo.forSubscription(instance, "shop")).isEqualTo("host='10.0.3.7' port='5432' dbname='shop' "
                + "user='migrator' password='s3cret' sslmode='require' application_name='pgferry'");
        assertThat(ConnInfo.of(instance, "shop", false)).startsWith("host='pgbouncer.local' port='6432' ");
        assertThat(ConnInfo.forProbe(instance, "postgres")).isEqualTo("host='10.0.3.7' port='5432' dbname='postgres' "
                + "user='migrator' sslmode='require' application_name='pgferry' "
                + "password='pgferry-reachability-probe' connect_timeout='10'").doesNotContain("s3cret");
        // by default the destination connects where pgferry does
        Instance plain = new Instance("src", "db", 5433, "u", Secret.of("p"), "verify-full", "postgres");
        assertThat(plain.replication()).isEqualTo(new Instance.ReplicationAddress("db", 5433, "verify-full"));
    }
}
