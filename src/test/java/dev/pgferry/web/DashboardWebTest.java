package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The web layer: the overview and its alerts (DashboardController, AlertApiController). */
class DashboardWebTest extends WebTestBase {

    @org.springframework.beans.factory.annotation.Autowired
    MappingTrends trends;

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
    void pollingStopsOnceEverythingIsComplete() throws Exception {
        var streaming = get("/").with(user("watcher").roles("VIEWER")).header("HX-Request", "true");
        mvc.perform(streaming).andExpect(status().isOk());
        MappingStatus status = board.get("shop").orElseThrow();
        publishComplete(status);
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
    void theOverviewShowsTheCopysProgressAndTimeLeftAndTheLagTrend() throws Exception {
        MappingStatus status = board.get("shop").orElseThrow();
        // the fixture's database copies table "big" (250 of 4096 bytes) while "Order Items" is synchronized
        trends.record(status);
        Thread.sleep(1100);
        MappingStatus later = new MappingStatus(SHOP, status.source(), status.destination(), List.of(
                new DatabaseStatus(new ObservedDatabase("shop", Instant.now(), null, null, true, true, 1, true,
                        Optional.of(new ObservedDatabase.Slot(true, "reserved", 2048, 4096)),
                        status.databases().getFirst().observed().subscription(),
                        List.of(new ObservedDatabase.Table("public", "big", false, true, "d", 1000L, 0L, List.of(),
                                4096L, Optional.of(new ObservedDatabase.TableSyncProgress(2048, 500)))), false,
                        Optional.empty()), List.of(), status.databases().getFirst().readiness(),
                        Plan.of(Phase.COPYING, "copying"), Optional.empty())), Instant.now());
        board.publish(later);
        trends.record(later);
        mvc.perform(get("/").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("50% of 4.0 kB")))
                .andExpect(content().string(containsString(" left</div>")))
                .andExpect(content().string(containsString("class=\"spark\"")));
    }

    @Test
    void aCompletedMappingReadsAsCompleteNeverAsNotReadyAndSortsBelowTheActiveOnes() throws Exception {
        MappingStatus status = board.get("shop").orElseThrow();
        DatabaseStatus database = status.databases().getFirst();
        publishComplete(status);
        dev.pgferry.config.Mapping active = new dev.pgferry.config.Mapping("zz-active", SRC, DST, List.of("shop"),
                dev.pgferry.config.Mode.RUN, dev.pgferry.config.CopyMethod.NATIVE);
        board.publish(new MappingStatus(active, status.source(), status.destination(), List.of(database),
                Instant.now()));
        String overview = mvc.perform(get("/").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        String shopRow = overview.substring(overview.indexOf("data-mapping=\"shop\""));
        shopRow = shopRow.substring(0, shopRow.indexOf("</tr>"));
        assertThat(overview.indexOf("data-mapping=\"zz-active\"")).as("the active mapping first")
                .isLessThan(overview.indexOf("data-mapping=\"shop\""));
        assertThat(shopRow).contains("<span class=\"finished\">complete</span>").doesNotContain("not ready")
                .doesNotContain("light");
        org.mockito.Mockito.when(cutoverRecords.of("shop")).thenReturn(List.of(
                new dev.pgferry.audit.AuditRecord(Instant.parse("2026-12-02T09:05:00Z"), "ops", "complete", "shop",
                        "marked complete")));
        for (String page : List.of("/mappings/shop", "/mappings/shop/cutover")) {
            // the summary at the top: complete by whom and when, each step as recorded, nothing claimed without a record
            mvc.perform(get(page).with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                    .andExpect(content().string(containsString("<h2>Completed</h2>")))
                    .andExpect(content().string(containsString("done by ops at 2026-12-02 09:05:00 UTC")))
                    .andExpect(content().string(containsString("pgferry froze nothing for this mapping")))
                    .andExpect(content().string(containsString("data-state=\"not_recorded\"")))
                    .andExpect(content().string(not(containsString("after the drain, so the values are final"))));
        }
        for (String page : List.of("/mappings/shop", "/mappings/shop/database?name=shop", "/mappings/shop/cutover")) {
            mvc.perform(get(page).with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                    .andExpect(content().string(containsString("class=\"finished\"")))
                    .andExpect(content().string(not(containsString("not cutover-ready"))))
                    .andExpect(content().string(not(containsString(">not ready<"))));
        }
    }

    /** The fixture's mapping with its database marked complete. */
    private void publishComplete(MappingStatus status) {
        DatabaseStatus database = status.databases().getFirst();
        board.publish(new MappingStatus(SHOP, status.source(), status.destination(), List.of(new DatabaseStatus(
                database.observed(), database.checks(), database.readiness(),
                new Plan(Phase.COMPLETE, "marked complete; replication objects removed", List.of()),
                Optional.empty())), Instant.now()));
    }
}
