package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrlPattern;
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
import dev.pgferry.cutover.FreezeChange;
import dev.pgferry.cutover.FreezeLedger;
import dev.pgferry.cutover.FreezePlan;
import dev.pgferry.reconcile.ActionRefused;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** Pages and API with and without htmx, logged in or not, as viewer or operator. */
@WebMvcTest
@Import({SecurityConfig.class, Formats.class, WebTest.Fixture.class, StatusViews.class, PageDefaults.class,
        CutoverChecklists.class,
        dev.pgferry.monitor.LagHistory.class, dev.pgferry.monitor.CopyRates.class,
        dev.pgferry.web.login.LoginThrottle.class, dev.pgferry.web.login.LoginMetrics.class,
        dev.pgferry.web.login.LoginEvents.class})
class WebTest {

    private static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("db-secret"), "prefer",
            "postgres");
    private static final Instance DST = new Instance("new", "10.0.0.2", 5432, "u", Secret.of("db-secret"), "prefer",
            "postgres");
    private static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of("shop"), Mode.RUN, CopyMethod.NATIVE);

    @Autowired
    MockMvc mvc;
    @Autowired
    StatusBoard board;
    @MockitoBean
    OperatorActions actions;
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
    dev.pgferry.cutover.Verifier verifier;
    @MockitoBean
    dev.pgferry.cutover.Drain drain;
    @MockitoBean
    dev.pgferry.copy.SnapshotCopies snapshotCopies;

    @TestConfiguration
    static class Fixture {
        @Bean
        PgferryConfig config() {
            return new PgferryConfig(Map.of("old", SRC, "new", DST), List.of(SHOP),
                    List.of(new User("ops", Secret.of("ops-pw"), User.Role.OPERATOR),
                            new User("watcher", Secret.of("watch-pw"), User.Role.VIEWER)),
                    Duration.ofSeconds(5), new PgferryConfig.ReadinessThresholds(1024, Duration.ofSeconds(30)), null,
                    Duration.ofSeconds(5));
        }

        @Bean
        io.micrometer.core.instrument.MeterRegistry meterRegistry() {
            return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        }

        @Bean
        StatusBoard board(PgferryConfig config, dev.pgferry.monitor.LagHistory lagHistory) {
            return new StatusBoard(config, new dev.pgferry.status.StatusMetrics(
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), lagHistory, new dev.pgferry.monitor.CopyRates(java.time.Clock.systemUTC()),
                    new dev.pgferry.alert.Alerts(lagHistory, config, java.time.Clock.systemUTC()));
        }
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

    @ParameterizedTest
    @CsvSource({"/", "/mappings/shop"})
    void pagesRedirectToTheLoginWithoutOne(String path) throws Exception {
        mvc.perform(get(path)).andExpect(status().is3xxRedirection()).andExpect(redirectedUrlPattern("**/login"));
    }

    @Test
    void apiAnswers401WithoutCredentials() throws Exception {
        mvc.perform(get("/api/mappings")).andExpect(status().isUnauthorized());
        mvc.perform(get("/api/mappings").with(httpBasic("watcher", "wrong"))).andExpect(status().isUnauthorized());
        mvc.perform(post("/api/mappings/shop/complete")).andExpect(status().isUnauthorized());
    }

    @Test
    void loginPageIsOpen() throws Exception {
        mvc.perform(get("/login")).andExpect(status().isOk()).andExpect(content().string(containsString("password")));
    }

    @Test
    void pagesCarryTheSecurityHeadersAndNoInlineScript() throws Exception {
        for (String path : List.of("/login", "/", "/mappings/shop")) {
            mvc.perform(get(path).with(user("watcher").roles("VIEWER")))
                    .andExpect(header().string("Content-Security-Policy", SecurityConfig.CONTENT_SECURITY_POLICY))
                    .andExpect(header().string("X-Content-Type-Options", "nosniff"))
                    .andExpect(header().string("X-Frame-Options", "DENY"))
                    .andExpect(header().string("Referrer-Policy", "same-origin"))
                    // every script from pgferry's own files: nothing inline for the policy to refuse
                    .andExpect(content().string(not(containsString("<script>"))))
                    .andExpect(content().string(not(containsString(" style=\""))))
                    .andExpect(content().string(not(containsString(" onclick="))))
                    .andExpect(content().string(not(containsString(" onsubmit="))));
        }
        org.assertj.core.api.Assertions.assertThat(SecurityConfig.CONTENT_SECURITY_POLICY).contains("script-src 'self'")
                .doesNotContain("unsafe");
    }

    @ParameterizedTest
    @CsvSource({"/, false", "/, true", "/mappings/shop, false", "/mappings/shop, true",
            "/mappings/shop/database?name=shop, false", "/mappings/shop/database?name=shop, true",
            "/overview/mappings/shop, true", "/mappings/shop/cutover, false", "/mappings/shop/cutover, true"})
    void pagesRenderWholeOrAsTheirPolledFragment(String path, boolean htmx) throws Exception {
        var request = get(path).with(user("watcher").roles("VIEWER"));
        if (htmx) {
            request.header("HX-Request", "true");
        }
        mvc.perform(request).andExpect(status().isOk())
                .andExpect(content().string(htmx ? not(containsString("<html")) : containsString("<html")))
                .andExpect(content().string(containsString("hx-trigger=\"every 5000ms\"")))
                .andExpect(content().string(containsString("STREAMING")))
                .andExpect(content().string(not(containsString("db-secret"))));
    }

    @ParameterizedTest
    @CsvSource({"/overview/mappings/shop", "/overview/alerts"})
    void fragmentAddressesOpenedAsPagesLeadToTheOverview(String path) throws Exception {
        mvc.perform(get(path).with(user("watcher").roles("VIEWER"))).andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/"));
    }

    @Test
    void overviewShowsDatabasesByPhaseAndNoAlertsWhenHealthy() throws Exception {
        mvc.perform(get("/").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("1 STREAMING")))
                .andExpect(content().string(containsString("id=\"no-alerts\"")))
                .andExpect(content().string(containsString("512 B")));
        mvc.perform(get("/overview/alerts").header("HX-Request", "true").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(not(containsString("<html"))))
                .andExpect(content().string(containsString("id=\"no-alerts\"")))
                .andExpect(content().string(containsString("hx-trigger=\"every 5000ms\"")));
    }

    @Test
    void mappingPageListsDatabasesWithCopyProgressAndConditions() throws Exception {
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("512 B")))
                .andExpect(content().string(containsString("title=\"need 30 s\"")))
                .andExpect(content().string(containsString("<progress max=\"100\" value=\"25\">")))
                .andExpect(content().string(containsString("1/2 tables copied, 1.0 kB of 4.0 kB")))
                .andExpect(content().string(containsString("/mappings/shop/database?name=shop")))
                .andExpect(content().string(not(containsString("Mark complete"))));
    }

    @Test
    void theLastFidelityReportShowsOnTheMappingAndTheDatabase() throws Exception {
        when(fidelity.last("shop", "shop")).thenReturn(new dev.pgferry.schema.FidelityReport("shop", Instant.now(),
                12, 11, List.of(new dev.pgferry.schema.FidelityReport.Difference("index", "public.big_idx",
                        "CREATE INDEX big_idx ON public.big (id)", null)),
                List.of(new dev.pgferry.schema.FidelityReport.Difference("role", "app_rw", "inherit true login true "
                        + "connection limit 20", "inherit true login true connection limit 5")), null));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("schema fidelity: 1 difference(s)")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("public.big_idx")))
                .andExpect(content().string(containsString("12 objects on the source, 11 on the destination")))
                .andExpect(content().string(containsString("(not counted as drift)")))
                .andExpect(content().string(containsString("connection limit 5")));
    }

    @Test
    void databasePageShowsSchemasTablesLagChartAndConditions() throws Exception {
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("updated by pgferry at 2026-12-01 12:47:03 UTC: the "
                        + "password or replication address of the source changed")))
                .andExpect(content().string(containsString("schema public · 2 table(s)")))
                .andExpect(content().string(containsString("Order Items")))
                .andExpect(content().string(containsString("need 30 s")))
                .andExpect(content().string(containsString("class=\"lag-line\"")))
                .andExpect(content().string(containsString("<progress max=\"100\" value=\"25\">")))
                .andExpect(content().string(containsString("1.0 kB of 4.0 kB, 250 rows")))
                .andExpect(content().string(not(containsString("id=\"count\""))));
    }

    @Test
    void theConfigurationPageShowsEverySettingAndNoSecret() throws Exception {
        mvc.perform(get("/config")).andExpect(status().is3xxRedirection());
        mvc.perform(get("/config").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("10.0.0.1:5432")))
                .andExpect(content().string(containsString("PGFERRY_MAPPINGS_SHOP_SOURCE")))
                .andExpect(content().string(containsString("PGFERRY_READY_MAX_LAG_BYTES")))
                .andExpect(content().string(containsString("<td>set</td>")))
                .andExpect(content().string(containsString("watcher")))
                .andExpect(content().string(not(containsString("db-secret"))))
                .andExpect(content().string(not(containsString("ops-pw"))))
                .andExpect(content().string(not(containsString("watch-pw"))));
    }

    @Test
    void sequencesAreSetByOperatorsOnlyAndTheLastReportShows() throws Exception {
        Instant now = Instant.now();
        var report = new dev.pgferry.cutover.SequenceSync.SequenceReport("shop", now, 10, "ops",
                List.of(new dev.pgferry.cutover.SequenceSync.SequenceChange("public", "order_id_seq", 120L, 100L, 130L,
                        null)), null);
        when(sequenceSync.last("shop", "shop")).thenReturn(report);
        when(cutover.syncSequences("shop", "ops", 10)).thenReturn(List.of(report));
        mvc.perform(post("/mappings/shop/sync-sequences").param("margin", "10").with(user("watcher").roles("VIEWER"))
                .with(csrf())).andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/sync-sequences").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        verifyNoInteractions(cutover);
        mvc.perform(post("/mappings/shop/sync-sequences").param("margin", "10")
                .with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/mappings/shop/cutover?done=sync-sequences"))
                .andExpect(flash().attribute("notice", containsString("1 set from the source plus 10 increments")));
        mvc.perform(post("/api/mappings/shop/sync-sequences").param("margin", "10").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isOk()).andExpect(jsonPath("$[0].sequences[0].after").value(130));
        mvc.perform(get("/mappings/shop/cutover").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("id=\"sync-sequences\"")))
                .andExpect(content().string(containsString("shop: 1 sequence(s) set")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("data-sequence=\"public.order_id_seq\"")))
                .andExpect(content().string(containsString("(margin 10 increments): 1 changed")));
    }

    @Test
    void materializedViewsAreRefreshedByOperatorsOnlyAndTheLastReportShows() throws Exception {
        var report = new dev.pgferry.cutover.MaterializedViews.RefreshReport("shop", Instant.now(), "ops",
                List.of(new dev.pgferry.cutover.MaterializedViews.ViewRefresh("public", "daily totals", true, 12, null)),
                null);
        when(materializedViews.last("shop", "shop")).thenReturn(report);
        when(cutover.refreshMaterializedViews("shop", "ops")).thenReturn(List.of(report));
        mvc.perform(post("/mappings/shop/refresh-matviews").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        verifyNoInteractions(cutover);
        mvc.perform(post("/mappings/shop/refresh-matviews").with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("notice", containsString("1 refreshed")));
        mvc.perform(post("/api/mappings/shop/refresh-matviews").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isOk()).andExpect(jsonPath("$[0].views[0].name").value("daily totals"));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("data-matview=\"public.daily totals\"")));
    }

    @Test
    void verificationIsQueuedByOperatorsOnlyAndItsResultShows() throws Exception {
        Instant now = Instant.now();
        when(verifier.last("shop", "shop")).thenReturn(Optional.of(new dev.pgferry.cutover.Verifier.VerifyReport("shop",
                "ops", now, now, 2, List.of(new dev.pgferry.cutover.Verifier.TableVerification("public", "Order Items",
                        10, 10, 1, null), new dev.pgferry.cutover.Verifier.TableVerification("public", "big", 1000,
                        999, 3, "keys (id) > (500) and <= (750): 250 row(s) on the source, 249 on the destination")),
                null)));
        when(cutover.verify("shop", "ops")).thenReturn(1);
        mvc.perform(post("/mappings/shop/verify").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/verify").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        verifyNoInteractions(cutover);
        mvc.perform(post("/mappings/shop/verify").with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("notice", containsString("Verification of 1 database(s) queued")));
        mvc.perform(post("/api/mappings/shop/verify").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isAccepted()).andExpect(jsonPath("$.queued").value(1));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("verification: 1 table(s) differ")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("differs: keys (id) &gt; (500) and &lt;= (750)")))
                .andExpect(content().string(containsString("data-verified=\"public.Order Items\"")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.verification.tables[1].firstDifference").value(containsString("(500)")));
    }

    /** The page's own polling must not take the message meant for the page load after an action. */
    @Test
    void anHtmxPollRacingTheRedirectDoesNotTakeTheActionsMessage() throws Exception {
        var post = mvc.perform(post("/mappings/shop/complete").with(user("ops").roles("VIEWER", "OPERATOR"))
                .with(csrf())).andReturn();
        var session = (org.springframework.mock.web.MockHttpSession) post.getRequest().getSession();
        mvc.perform(get("/mappings/shop/cutover").session(session).header("HX-Request", "true")
                .with(user("ops").roles("VIEWER", "OPERATOR"))).andExpect(status().isOk());
        // the query string, as the browser sends it after the redirect (the flash map matches on it)
        mvc.perform(get("/mappings/shop/cutover?done=complete").session(session)
                .with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("marked complete")));
    }

    @Test
    void unknownDatabaseIsA404() throws Exception {
        mvc.perform(get("/mappings/shop/database").param("name", "nope").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isNotFound()).andExpect(content().string(containsString("no database nope")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "nope").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.error").value(containsString("nope")));
    }

    @Test
    void exactCountsShowBesideTheEstimatesAndOnlyOperatorsStartThem() throws Exception {
        Instant now = Instant.now();
        when(exactCounter.last("shop", "shop")).thenReturn(Optional.of(new dev.pgferry.monitor.ExactCount("ops",
                now, now, now, 2, List.of(new dev.pgferry.monitor.ExactCount.TableCount("public", "Order Items",
                        10_001, 9_990, now)), null)));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("10001")))
                .andExpect(content().string(containsString("9990")))
                .andExpect(content().string(containsString("Exact counts of <span>2</span> tables")))
                .andExpect(content().string(containsString("id=\"count\"")))
                .andExpect(content().string(containsString("data-confirm=\"Count every row")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.exactCount.state").value("done"))
                .andExpect(jsonPath("$.tables[0].exactSourceRows").value(10001))
                .andExpect(jsonPath("$.tables[0].exactDelta").value(11))
                .andExpect(jsonPath("$.schemas[0].name").value("public"));

        mvc.perform(post("/mappings/shop/database/count").param("name", "shop").with(user("watcher").roles("VIEWER"))
                .with(csrf())).andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/database/count").param("name", "shop")
                .with(httpBasic("watcher", "watch-pw"))).andExpect(status().isForbidden());
        verifyNoInteractions(actions);
        mvc.perform(post("/mappings/shop/database/count").param("name", "shop")
                .with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/mappings/shop/database?name=shop&done=count"));
        mvc.perform(post("/api/mappings/shop/database/count").param("name", "shop").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isAccepted()).andExpect(jsonPath("$.name").value("shop"));
        verify(actions, org.mockito.Mockito.times(2)).countRows("shop", "shop", "ops");
    }

    @Test
    void alertsShowOnTheOverviewTheMappingAndTheApi() throws Exception {
        MappingStatus streaming = board.get("shop").orElseThrow();
        DatabaseStatus database = streaming.databases().getFirst();
        ObservedDatabase o = database.observed();
        ObservedDatabase disabled = new ObservedDatabase(o.database(), o.observedAt(), null, null, true, true, 1, true,
                Optional.of(new ObservedDatabase.Slot(false, "extended", 512, 4096)),
                Optional.of(new ObservedDatabase.Subscription(7, false, false, 0, 0)), o.tables(), false,
                Optional.empty());
        board.publish(new MappingStatus(SHOP, streaming.source(), ObservedInstance.unreachable("new",
                "new (10.0.0.2:5432) is unreachable: Connection refused"), List.of(new DatabaseStatus(disabled,
                database.checks(), database.readiness(), database.plan(), Optional.empty())), Instant.now()));
        mvc.perform(get("/overview/alerts").header("HX-Request", "true").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("data-alert-kind=\"subscription.disabled\"")))
                .andExpect(content().string(containsString("data-alert-kind=\"slot.wal-status\"")))
                .andExpect(content().string(containsString("data-alert-kind=\"instance.unreachable\"")))
                .andExpect(content().string(containsString("ALTER SUBSCRIPTION pgferry_shop_shop ENABLE")));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("data-alert-kind=\"subscription.disabled\"")));
        mvc.perform(get("/api/alerts").with(httpBasic("watcher", "watch-pw"))).andExpect(status().isOk())
                .andExpect(jsonPath("$[?(@.kind == 'subscription.disabled')].severity").value("critical"))
                .andExpect(jsonPath("$[?(@.kind == 'slot.wal-status')].database").value("shop"))
                .andExpect(jsonPath("$[?(@.kind == 'instance.unreachable')].mapping").value("shop"));
    }

    @Test
    void aDatabaseWhoseSlotLostItsWalOffersTheOperatorToStartItOver() throws Exception {
        MappingStatus streaming = board.get("shop").orElseThrow();
        DatabaseStatus database = streaming.databases().getFirst();
        ObservedDatabase o = database.observed();
        ObservedDatabase lost = new ObservedDatabase(o.database(), o.observedAt(), null, null, true, true, 1, true,
                Optional.of(new ObservedDatabase.Slot(false, "lost", 512, 0)),
                Optional.of(new ObservedDatabase.Subscription(7, false, false, 0, 0)), o.tables(), false,
                Optional.empty());
        board.publish(new MappingStatus(SHOP, streaming.source(), streaming.destination(), List.of(new DatabaseStatus(
                lost, database.checks(), database.readiness(), new Plan(Phase.FAILED, "the replication slot lost WAL "
                        + "it still needed", List.of()), Optional.empty())), Instant.now()));
        mvc.perform(get("/mappings/shop/database?name=shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("id=\"start-over\"")))
                .andExpect(content().string(containsString("data-alert-kind=\"slot.wal-status\"")));
        mvc.perform(get("/mappings/shop/database?name=shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(not(containsString("id=\"start-over\""))));
        mvc.perform(post("/api/mappings/shop/database/start-over").param("name", "shop")
                .with(httpBasic("watcher", "watch-pw"))).andExpect(status().isForbidden());
        when(actions.startOver("shop", "shop", "ops")).thenReturn(board.get("shop").orElseThrow());
        mvc.perform(post("/mappings/shop/database/start-over").param("name", "shop")
                .with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection());
        mvc.perform(post("/api/mappings/shop/database/start-over").param("name", "shop")
                .with(httpBasic("ops", "ops-pw"))).andExpect(status().isOk());
        verify(actions, org.mockito.Mockito.times(2)).startOver("shop", "shop", "ops");
    }

    @Test
    void aStreamingDatabaseOffersNoStartOver() throws Exception {
        mvc.perform(get("/mappings/shop/database?name=shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(not(containsString("id=\"start-over\""))));
    }

    @Test
    void operatorSeesCompleteDisabledUntilCutoverReady() throws Exception {
        mvc.perform(get("/mappings/shop/cutover").with(user("ops").roles("VIEWER", "OPERATOR"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("id=\"complete\" disabled")))
                .andExpect(content().string(containsString("name=\"_csrf\"")));
    }

    @Test
    void startNeedsTheOperatorAndCsrf() throws Exception {
        when(actions.start("shop", "ops")).thenReturn(board.get("shop").orElseThrow());
        mvc.perform(post("/mappings/shop/start").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/start").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        mvc.perform(post("/mappings/shop/start").with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection());
        mvc.perform(post("/api/mappings/shop/start").with(httpBasic("ops", "ops-pw"))).andExpect(status().isOk());
        verify(actions, org.mockito.Mockito.times(2)).start("shop", "ops");
    }

    @Test
    void blockedDatabaseShowsItsPlanAndTheBlockingCheck() throws Exception {
        MappingStatus streaming = board.get("shop").orElseThrow();
        DatabaseStatus database = streaming.databases().getFirst();
        DatabaseStatus blocked = new DatabaseStatus(database.observed(),
                List.of(Check.block("source.wal_level", "wal_level is replica", "Run ALTER SYSTEM SET wal_level")),
                database.readiness(), new Plan(Phase.BLOCKED, "blocked by source.wal_level",
                        List.of(new dev.pgferry.status.Action.CopySchema("shop", List.of())), List.of("source.wal_level")),
                Optional.empty());
        board.publish(new MappingStatus(SHOP, streaming.source(), streaming.destination(), List.of(blocked),
                Instant.now()));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("blocked by source.wal_level")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("Plan (what run mode would do, in order)")))
                .andExpect(content().string(containsString("copy the schema of shop")))
                .andExpect(content().string(containsString("Run ALTER SYSTEM SET wal_level")));
        mvc.perform(get("/api/mappings/shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.databases[0].phase").value("BLOCKED"))
                .andExpect(jsonPath("$.databases[0].blockedBy[0]").value("source.wal_level"))
                .andExpect(jsonPath("$.databases[0].checks[0].level").value("block"))
                .andExpect(jsonPath("$.databases[0].checks[0].fix").value("Run ALTER SYSTEM SET wal_level"));
    }

    @Test
    void pollingStopsOnceEverythingIsComplete() throws Exception {
        var streaming = get("/").with(user("watcher").roles("VIEWER")).header("HX-Request", "true");
        mvc.perform(streaming).andExpect(status().isOk());
        MappingStatus status = board.get("shop").orElseThrow();
        DatabaseStatus database = status.databases().getFirst();
        board.publish(new MappingStatus(SHOP, status.source(), status.destination(), List.of(new DatabaseStatus(
                database.observed(), database.checks(), database.readiness(),
                new Plan(Phase.COMPLETE, "marked complete; replication objects removed", List.of()),
                Optional.empty())), Instant.now()));
        mvc.perform(get("/overview/alerts").with(user("watcher").roles("VIEWER")).header("HX-Request", "true"))
                .andExpect(status().is(286));
        mvc.perform(get("/overview/mappings/shop").with(user("watcher").roles("VIEWER")).header("HX-Request", "true"))
                .andExpect(status().is(286)).andExpect(content().string(not(containsString("hx-trigger"))));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER")).header("HX-Request", "true"))
                .andExpect(status().is(286));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER"))
                .header("HX-Request", "true")).andExpect(status().is(286));
    }

    @Test
    void unknownMappingIsA404Page() throws Exception {
        mvc.perform(get("/mappings/nope").with(user("watcher").roles("VIEWER"))).andExpect(status().isNotFound())
                .andExpect(content().string(containsString("no mapping named nope")));
    }

    @Test
    void apiShowsTheContractFields() throws Exception {
        mvc.perform(get("/api/mappings/shop").with(httpBasic("watcher", "watch-pw"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("shop"))
                .andExpect(jsonPath("$.source").value("old"))
                .andExpect(jsonPath("$.destination").value("new"))
                .andExpect(jsonPath("$.mode").value("run"))
                .andExpect(jsonPath("$.phase").value("STREAMING"))
                .andExpect(jsonPath("$.cutoverReady").value(false))
                .andExpect(jsonPath("$.databases[0].name").value("shop"))
                .andExpect(jsonPath("$.databases[0].lagBytes").value(512))
                // the view's parts sit flat on the database, as the API always had them
                .andExpect(jsonPath("$.databases[0].walRetainedBytes").value(4096))
                .andExpect(jsonPath("$.databases[0].slotActive").value(true))
                .andExpect(jsonPath("$.databases[0].subscriptionConnectionUpdatedAt").value("2026-12-01T12:47:03Z"))
                .andExpect(jsonPath("$.databases[0].tablesTotal").value(2))
                .andExpect(jsonPath("$.databases[0].copyBytesTotal").exists())
                .andExpect(jsonPath("$.databases[0].sourceRows").value(1010))
                .andExpect(jsonPath("$.databases[0].rowDelta").value(1001))
                .andExpect(jsonPath("$.databases[0].verification").doesNotExist())
                .andExpect(jsonPath("$.databases[0].replication").doesNotExist())
                .andExpect(jsonPath("$.databases[0].cutover").doesNotExist())
                .andExpect(jsonPath("$.databases[0].checks[0].id").value("source.reachable"))
                .andExpect(jsonPath("$.databases[0].checks[0].level").value("ok"))
                .andExpect(jsonPath("$.databases[0].tables[0].schema").value("public"))
                .andExpect(jsonPath("$.databases[0].tables[0].syncState").value("r"))
                .andExpect(jsonPath("$.databases[0].tables[0].sourceRows").value(10))
                .andExpect(jsonPath("$.databases[0].tables[0].destinationRows").value(9))
                .andExpect(content().string(not(containsString("db-secret"))));
        mvc.perform(get("/api/mappings/nope").with(httpBasic("watcher", "watch-pw"))).andExpect(status().isNotFound());
    }

    @Test
    void completeFormNeedsCsrfAndTheOperatorRole() throws Exception {
        mvc.perform(post("/mappings/shop/complete").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(status().isForbidden());
        mvc.perform(post("/mappings/shop/complete").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        verifyNoInteractions(actions);
        mvc.perform(post("/mappings/shop/complete").with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/mappings/shop/cutover?done=complete"));
        verify(actions).complete("shop", "ops", false);
    }

    @Test
    void apiCompleteUsesBasicAuthWithoutCsrfAndReportsRefusals() throws Exception {
        mvc.perform(post("/api/mappings/shop/complete").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        when(actions.complete(eq("shop"), anyString(), anyBoolean()))
                .thenThrow(new ActionRefused("mapping shop is not cutover-ready"));
        mvc.perform(post("/api/mappings/shop/complete").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.error").value("mapping shop is not cutover-ready"));
    }

    @Test
    void theCutoverPageShowsTheStepsWithThisMappingsCommandsAndConnections() throws Exception {
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("href=\"/mappings/shop/cutover\"")));
        mvc.perform(get("/mappings/shop/cutover").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("data-step=\"freeze\" data-state=\"manual\"")))
                .andExpect(content().string(containsString("PGFERRY_MAPPINGS_SHOP_ALLOW_FREEZE=true")))
                .andExpect(content().string(containsString("ALTER ROLE &quot;App &quot;&quot;RW&quot;&quot;&quot; NOLOGIN;")))
                .andExpect(content().string(containsString(
                        "ALTER DATABASE &quot;shop&quot; SET default_transaction_read_only = on;")))
                .andExpect(content().string(containsString(
                        "ALTER DATABASE &quot;shop&quot; RESET default_transaction_read_only;")))
                .andExpect(content().string(containsString("usename IN (&#39;App &quot;RW&quot;&#39;)")))
                .andExpect(content().string(containsString("also uses reports (not in this mapping)")))
                .andExpect(content().string(containsString("postgres: superuser")))
                .andExpect(content().string(containsString("is not a barrier")))
                .andExpect(content().string(containsString("postgresql://10.0.0.1:5432/shop")))
                .andExpect(content().string(containsString("jdbc:postgresql://10.0.0.2:5432/shop")))
                .andExpect(content().string(containsString("data-step=\"ready\" data-state=\"waiting\"")))
                .andExpect(content().string(containsString("Going back:")))
                .andExpect(content().string(not(containsString("data-confirm="))))
                .andExpect(content().string(not(containsString("db-secret"))));
        mvc.perform(get("/mappings/shop/cutover").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("id=\"freeze\" disabled")))
                .andExpect(content().string(containsString("id=\"drain\"")))
                .andExpect(content().string(containsString("id=\"verify\"")));
        mvc.perform(get("/api/mappings/shop/cutover").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.steps[*].id").value(org.hamcrest.Matchers.contains("ready", "fidelity",
                        "freeze", "drain", "sync-sequences", "refresh-matviews", "verify", "switch", "complete")))
                .andExpect(jsonPath("$.freeze.allowed").value(false))
                .andExpect(jsonPath("$.freeze.rolesToFreeze[0]").value("App \"RW\" (has 2 session(s) on the mapping's "
                        + "databases; 2 session(s) to end)"))
                .andExpect(jsonPath("$.connections[0].to").value("postgresql://10.0.0.2:5432/shop"))
                .andExpect(content().string(not(containsString("db-secret"))));
    }

    @Test
    void freezeAndUnfreezeNeedTheOperatorAndReportWhatChanged() throws Exception {
        FreezePlan plan = FreezePlan.of(List.of("shop"), List.of(new FreezePlan.RoleFacts("app", true, false, false,
                false, 2, List.of())), List.of(), List.of(), Mapping.FreezeRoles.NONE, Map.of());
        when(cutover.freeze("shop", "ops", false)).thenReturn(new Freeze.Frozen(plan, plan.changes(), 2, null));
        when(cutover.unfreeze("shop", "ops")).thenReturn(new Freeze.Unfrozen(plan.changes(), List.of()));
        mvc.perform(post("/mappings/shop/freeze").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/mappings/shop/freeze").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/unfreeze").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        verify(cutover, org.mockito.Mockito.never()).freeze(anyString(), anyString(), anyBoolean());
        mvc.perform(post("/mappings/shop/freeze").with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(redirectedUrl("/mappings/shop/cutover?done=freeze"))
                .andExpect(flash().attribute("notice", containsString("1 role(s) set NOLOGIN")))
                .andExpect(flash().attribute("notice", containsString("2 session(s) ended")));
        mvc.perform(post("/api/mappings/shop/freeze").with(httpBasic("ops", "ops-pw"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.sessionsEnded").value(2))
                .andExpect(jsonPath("$.plan.roles[0].name").value("app"));
        mvc.perform(post("/api/mappings/shop/unfreeze").with(httpBasic("ops", "ops-pw"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.restored[0].kind").value("ROLE_LOGIN"));
        when(cutover.freeze("shop", "ops", true)).thenThrow(new ActionRefused("the assisted freeze is off"));
        mvc.perform(post("/api/mappings/shop/freeze").param("force", "true").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isConflict()).andExpect(jsonPath("$.error").value("the assisted freeze is off"));

        // frozen: the page says since when and by whom, what changed, and offers the unfreeze
        var entry = new FreezeLedger.Entry(FreezeChange.roleLogin("app"), Instant.now(), "ops");
        when(outlooks.last(SHOP)).thenReturn(new FreezeOutlook(true, "PGFERRY_MAPPINGS_SHOP_ALLOW_FREEZE",
                new Freeze.FreezeState(List.of(entry)), plan, null, Instant.now()));
        mvc.perform(get("/mappings/shop/cutover").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("id=\"frozen\"")))
                .andExpect(content().string(containsString("data-step=\"freeze\" data-state=\"done\"")))
                .andExpect(content().string(containsString("role app set NOLOGIN (was LOGIN)")))
                .andExpect(content().string(containsString("ALTER ROLE &quot;app&quot; LOGIN;")))
                .andExpect(content().string(containsString("id=\"unfreeze\"")));
    }

    @Test
    void theSnapshotCopysProgressShowsPerTableWhileItRuns() throws Exception {
        ObservedDatabase observed = new ObservedDatabase("shop", Instant.now(), null, null, true, true, 2, true,
                Optional.of(new ObservedDatabase.Slot(false, "reserved", 0, 4096)), Optional.empty(),
                List.of(new ObservedDatabase.Table("public", "Order Items", false, true, null, 10L, 4L),
                        new ObservedDatabase.Table("public", "big", false, true, null, 1000L, 0L, List.of(), 4096L,
                                Optional.empty()),
                        new ObservedDatabase.Table("public", "empty", false, true, null, 0L, 0L, List.of(), 0L,
                                Optional.empty())), false, Optional.empty());
        board.publish(new MappingStatus(SHOP, new ObservedInstance("old", null, null, Map.of(), Set.of(), Set.of()),
                new ObservedInstance("new", null, null, Map.of(), Set.of(), Set.of()), List.of(new DatabaseStatus(
                        observed, List.of(), new Readiness(false, List.of()), new Plan(Phase.COPYING,
                                "snapshot copy: copying tables in parallel", List.of()), Optional.empty())),
                Instant.now()));
        var state = new dev.pgferry.copy.SnapshotProgress.State(dev.pgferry.copy.SnapshotProgress.Stage.COPYING,
                Instant.now().minusSeconds(10), null, null, List.of(
                        new dev.pgferry.copy.SnapshotProgress.TableState("public", "Order Items", 8192, 8192, 10, true, true),
                        new dev.pgferry.copy.SnapshotProgress.TableState("public", "big", 4096, 1024, 250, false, false),
                        // an empty table not copied yet: no percentage to show
                        new dev.pgferry.copy.SnapshotProgress.TableState("public", "empty", 0, 0, 0, false, false)), 2);
        when(snapshotCopies.last("shop", "shop")).thenReturn(Optional.of(new dev.pgferry.copy.SnapshotCopies.Copy(
                state, 1, 1)));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("1/3 tables copied, 9.0 kB of 12.0 kB")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("snapshot copy: copied and indexed")))
                .andExpect(content().string(containsString("snapshot copy: copying")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.copyBytesTotal").value(12288))
                .andExpect(jsonPath("$.tables[1].copyBytesDone").value(1024))
                .andExpect(jsonPath("$.tables[1].copyRowsDone").value(250))
                .andExpect(jsonPath("$.tables[1].copyPercent").value(25));
    }
}
