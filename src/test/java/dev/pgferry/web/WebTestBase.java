package dev.pgferry.web;

import static org.hamcrest.Matchers.not;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.config.Secret;
import dev.pgferry.config.User;
import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.preflight.Check;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.operator.OperatorActions;
import dev.pgferry.operator.CutoverActions;
import dev.pgferry.cutover.CutoverChecklists;
import dev.pgferry.cutover.FreezeOutlook;
import dev.pgferry.cutover.FreezeOutlooks;
import dev.pgferry.cutover.Freeze;
import dev.pgferry.cutover.FreezePlan;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.StatusBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * What the web tests share: one application context of the web layer (pages and API) with the
 * features behind it mocked and one streaming mapping on the status board. Each test class
 * covers one controller, with and without htmx, logged in or not, as viewer or operator.
 */
@WebMvcTest
@Import({SecurityConfig.class, Formats.class, WebTestBase.Fixture.class, StatusViews.class, PageDefaults.class,
        CutoverChecklists.class, MappingTrends.class,
        dev.pgferry.monitor.LagHistory.class, dev.pgferry.monitor.CopyRates.class,
        dev.pgferry.web.login.LoginThrottle.class, dev.pgferry.web.login.LoginMetrics.class,
        dev.pgferry.web.login.LoginEvents.class})
abstract class WebTestBase {

    static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("db-secret"), "prefer",
            "postgres");
    static final Instance DST = new Instance("new", "10.0.0.2", 5432, "u", Secret.of("db-secret"), "prefer",
            "postgres");
    static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of("shop"), Mode.RUN, CopyMethod.NATIVE);

    @Autowired
    MockMvc mvc;
    @Autowired
    StatusBoard board;
    @MockitoBean
    OperatorActions actions;
    @MockitoBean
    dev.pgferry.cutover.CutoverRecords cutoverRecords;
    @MockitoBean
    CutoverActions cutover;
    @MockitoBean
    FreezeOutlooks outlooks;
    @MockitoBean
    dev.pgferry.schema.FidelityCheck fidelity;
    @MockitoBean
    dev.pgferry.monitor.ExactCounter exactCounter;
    @MockitoBean
    dev.pgferry.cutover.SequenceSync sequenceSync;
    @MockitoBean
    dev.pgferry.cutover.MaterializedViews materializedViews;
    @MockitoBean
    dev.pgferry.largeobjects.LargeObjectSync largeObjects;
    @MockitoBean
    dev.pgferry.cutover.Verifier verifier;
    @MockitoBean
    dev.pgferry.cutover.Drain drain;
    @MockitoBean
    dev.pgferry.copy.SnapshotCopies snapshotCopies;
    @MockitoBean
    dev.pgferry.schemachange.SchemaChanges schemaChanges;
    @MockitoBean
    dev.pgferry.operator.SchemaChangeActions schemaChangeActions;
    @MockitoBean
    dev.pgferry.schemachange.DdlCapture ddlCapture;
    @MockitoBean
    dev.pgferry.copy.CopyOrigins copyOrigins;

    @TestConfiguration
    static class Fixture {
        @Bean
        PgferryConfig config() {
            return new PgferryConfig(Map.of("old", SRC, "new", DST), List.of(SHOP),
                    List.of(new User("ops", Secret.of("ops-pw"), User.Role.OPERATOR),
                            new User("watcher", Secret.of("watch-pw"), User.Role.VIEWER)),
                    Duration.ofSeconds(5), new PgferryConfig.ReadinessThresholds(1024, Duration.ofSeconds(30)), null,
                    Duration.ofSeconds(5), Duration.ZERO, 10_000, List.of(new dev.pgferry.config.NotifyTarget("ops",
                            java.net.URI.create("https://127.0.0.1:9/hooks/T000/B000/hook-secret-token"),
                            dev.pgferry.config.NotifyTarget.Format.JSON, java.util.Set.of("phase", "failure"),
                            Secret.of("hmac-secret"))));
        }

        @Bean
        dev.pgferry.notify.Notifications notifications(PgferryConfig config, StatusBoard board,
                io.micrometer.core.instrument.MeterRegistry registry) {
            return new dev.pgferry.notify.Notifications(config, board, java.time.Clock.systemUTC(), registry);
        }

        @Bean
        io.micrometer.core.instrument.MeterRegistry meterRegistry() {
            return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        }

        @Bean
        StatusBoard board(PgferryConfig config, dev.pgferry.monitor.LagHistory lagHistory) {
            return new StatusBoard(config, new dev.pgferry.status.StatusMetrics(
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), config), lagHistory, new dev.pgferry.monitor.CopyRates(java.time.Clock.systemUTC()),
                    new dev.pgferry.alert.Alerts(lagHistory, config, java.time.Clock.systemUTC()));
        }
    }

    @BeforeEach
    void noSchemaChanges() {
        org.mockito.Mockito.when(schemaChanges.report(org.mockito.ArgumentMatchers.anyString(),
                org.mockito.ArgumentMatchers.anyString())).thenReturn(new dev.pgferry.schemachange.ChangeReport(null,
                        List.of(), null, List.of(), Map.of()));
    }

    @BeforeEach
    void streaming() {
        ObservedDatabase observed = new ObservedDatabase("shop", Instant.now(), null, null, true, true, 1, true,
                Optional.of(new ObservedDatabase.Slot(true, "reserved", 512, 4096)),
                Optional.of(new ObservedDatabase.Subscription(7, true, true, 0, 0, true,
                        Instant.parse("2026-12-01T12:47:03Z"))),
                List.of(new ObservedDatabase.Table("public", "Order Items", false, true, "r", 10L, 9L),
                        new ObservedDatabase.Table("public", "big", false, true, "d", 1000L, 0L, List.of(), 4096L,
                                Optional.of(new ObservedDatabase.TableSyncProgress(1024, 250)))), false,
                Optional.empty());
        DatabaseStatus database = new DatabaseStatus(observed,
                List.of(Check.ok("source.reachable", "source old answers")),
                new Readiness(false, List.of(new Readiness.Condition("stable", false, "need 30 s"))),
                new Plan(Phase.STREAMING, "streaming; not cutover-ready: need 30 s", List.of()), Optional.empty());
        ObservedInstance source = new ObservedInstance("old", null, null, Map.of(), Set.of(), Set.of());
        ObservedInstance destination = new ObservedInstance("new", null, null, Map.of(), Set.of(), Set.of());
        board.publish(new MappingStatus(SHOP, source, destination, List.of(database), Instant.now()));
        when(outlooks.last(SHOP)).thenReturn(new FreezeOutlook(false, "PGFERRY_MAPPINGS_SHOP_ALLOW_FREEZE",
                new Freeze.FreezeState(List.of()), FreezePlan.of(List.of("shop"), List.of(
                        new FreezePlan.RoleFacts("App \"RW\"", true, false, false, false, 2, List.of("reports")),
                        new FreezePlan.RoleFacts("postgres", true, true, false, false, 1, List.of()),
                        new FreezePlan.RoleFacts("u", true, true, false, true, 3, List.of())), List.of(), List.of(),
                        Mapping.FreezeRoles.NONE, Map.of()), null, Instant.now()));
    }
}
