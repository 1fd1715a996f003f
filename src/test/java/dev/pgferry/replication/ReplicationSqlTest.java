package dev.pgferry.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicationSqlTest {

    @Test
    void namesArePlainWhenMappingAndDatabaseArePlain() {
        assertThat(ReplicationNames.of("eu", "orders").name()).isEqualTo("pgferry_eu_orders");
    }

    @Test
    void oddNamesAreSanitizedWithAHashThatKeepsThemApart() {
        String capitals = ReplicationNames.of("eu", "Orders").name();
        String lower = ReplicationNames.of("eu", "orders").name();
        String spaced = ReplicationNames.of("eu", "my orders").name();
        String unicode = ReplicationNames.of("eu", "Bestellungen-Übersicht").name();
        assertThat(capitals).matches("pgferry_eu_orders_[0-9a-f]{8}").isNotEqualTo(lower);
        assertThat(spaced).matches("pgferry_eu_my_orders_[0-9a-f]{8}");
        assertThat(unicode).matches("[a-z0-9_]+");
        assertThat(ReplicationNames.of("eu", "Orders").name()).as("deterministic").isEqualTo(capitals);
    }

    @Test
    void longNamesFitIn63Bytes() {
        String name = ReplicationNames.of("mapping", "d".repeat(100)).name();
        assertThat(name).hasSizeLessThanOrEqualTo(63).startsWith("pgferry_mapping_ddd").matches("[a-z0-9_]+");
        assertThat(ReplicationNames.of("mapping", "d".repeat(101)).name()).isNotEqualTo(name);
    }

    @Test
    void ddlCaptureNamesAreHashedFitAndMatchThePatternThatLeavesThemOut() {
        for (String database : java.util.List.of("orders", "Bestellungen Übersicht", "d".repeat(100))) {
            String name = ReplicationNames.ddlCapture("eu", database).name();
            assertThat(name).hasSizeLessThanOrEqualTo(63).matches("pgferry_.+_ddl_[0-9a-f]{8}")
                    .isNotEqualTo(ReplicationNames.of("eu", database).name())
                    .isNotEqualTo(ReplicationNames.reverse("eu", database).name());
            assertThat(java.util.regex.Pattern.compile(dev.pgferry.pg.CaptureObjects.REGEX).matcher(name).matches())
                    .isTrue();
        }
        assertThat(ReplicationNames.ddlCapture("eu", "orders").name()).startsWith("pgferry_eu_orders_ddl_")
                .isEqualTo(ReplicationNames.ddlCapture("eu", "orders").name());
    }

    @Test
    void publicationPublishesThroughThePartitionRoot() {
        assertThat(ReplicationSql.createPublication("pgferry_eu_orders", java.util.List.of(
                new PublishedTable("public", "orders"), new PublishedTable("My Schema", "Order \"Items\""))))
                .isEqualTo("CREATE PUBLICATION \"pgferry_eu_orders\" FOR TABLE \"public\".\"orders\", "
                        + "\"My Schema\".\"Order \"\"Items\"\"\" WITH (publish_via_partition_root = true)");
        assertThat(ReplicationSql.createPublication("p", java.util.List.of()))
                .isEqualTo("CREATE PUBLICATION \"p\" WITH (publish_via_partition_root = true)");
        assertThat(ReplicationSql.dropPublication("pgferry_eu_orders"))
                .isEqualTo("DROP PUBLICATION IF EXISTS \"pgferry_eu_orders\"");
    }

    @Test
    void subscriptionQuotesItsConninfoAsALiteral() {
        assertThat(ReplicationSql.createSubscription("pgferry_eu_orders", "host='h' password='it\\'s'",
                "pgferry_eu_orders", "pgferry_eu_orders")).isEqualTo(
                "CREATE SUBSCRIPTION \"pgferry_eu_orders\" CONNECTION E'host=''h'' password=''it\\\\''s''' "
                        + "PUBLICATION \"pgferry_eu_orders\" WITH (slot_name = 'pgferry_eu_orders', "
                        + "create_slot = true, copy_data = true)");
        assertThat(ReplicationSql.dropSubscription("x\"y")).isEqualTo("DROP SUBSCRIPTION IF EXISTS \"x\"\"y\"");
    }

    @Test
    void theReachabilityProbeConnectsAndCreatesNoSlot() {
        assertThat(ReplicationSql.reachabilityProbe("pgferry_reachability_probe", "host='h'"))
                .isEqualTo("CREATE SUBSCRIPTION \"pgferry_reachability_probe\" CONNECTION 'host=''h''' PUBLICATION "
                        + "\"pgferry_reachability_probe\" WITH (connect = true, enabled = false, create_slot = false, "
                        + "copy_data = false, slot_name = NONE)");
    }

    @Test
    void theProbesAnswerSaysWhetherTheSourceWasReached() {
        var refused = new java.sql.SQLException("subscription \"p\" could not connect to the publisher: connection to "
                + "server at \"127.0.0.1\", port 1 failed: Connection refused", "08006");
        assertThat(ReachabilityProbe.classify("127.0.0.1:1", refused)).isEqualTo(new SourceReach(
                SourceReach.State.UNREACHABLE, "127.0.0.1:1", "connection to server at \"127.0.0.1\", port 1 failed: "
                        + "Connection refused"));
        var wrongPassword = new java.sql.SQLException("subscription \"p\" could not connect to the publisher: "
                + "FATAL:  password authentication failed for user \"migrator\"", "08006");
        assertThat(ReachabilityProbe.classify("h:5432", wrongPassword).state()).isEqualTo(SourceReach.State.REACHED);
        var trust = new java.sql.SQLException("password is required", "28000");
        assertThat(ReachabilityProbe.classify("h:5432", trust).state())
                .isEqualTo(SourceReach.State.NO_PASSWORD_ASKED);
        var denied = new java.sql.SQLException("permission denied to create subscription", "42501");
        assertThat(ReachabilityProbe.classify("h:5432", denied).state()).isEqualTo(SourceReach.State.UNKNOWN);
    }
}
