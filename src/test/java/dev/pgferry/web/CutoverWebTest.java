package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
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
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.FreezeOutlook;
import dev.pgferry.cutover.Freeze;
import dev.pgferry.cutover.FreezeChange;
import dev.pgferry.cutover.FreezeLedger;
import dev.pgferry.cutover.FreezePlan;
import dev.pgferry.reconcile.ActionRefused;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The web layer: the cutover page, its API and the steps an operator runs from them (CutoverPageController, CutoverApiController). */
class CutoverWebTest extends WebTestBase {

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
    void largeObjectsAreSynchronizedByOperatorsOnlyAndTheLastReportShows() throws Exception {
        var report = new dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport("shop", Instant.now(), "ops",
                new dev.pgferry.largeobjects.LargeObjectSync.Outcome(7, 3, 1, 2, 4, 3_145_728), 420, null);
        when(largeObjects.last("shop", "shop")).thenReturn(report);
        when(cutover.syncLargeObjects("shop", "ops")).thenReturn(List.of(report));
        mvc.perform(post("/mappings/shop/sync-large-objects").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/sync-large-objects").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        verifyNoInteractions(cutover);
        mvc.perform(post("/mappings/shop/sync-large-objects").with(user("ops").roles("VIEWER", "OPERATOR"))
                .with(csrf())).andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/mappings/shop/cutover?done=sync-large-objects"))
                .andExpect(flash().attribute("notice", containsString("Large objects: 3 copied from the source")));
        mvc.perform(post("/api/mappings/shop/sync-large-objects").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isOk()).andExpect(jsonPath("$[0].outcome.removed").value(2));
        mvc.perform(get("/mappings/shop/cutover").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("id=\"sync-large-objects\"")))
                .andExpect(content().string(containsString("shop: 3 copied, 2 removed, 4 unchanged")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("7 on the source, 3 copied (1 of them changed since), "
                        + "2 removed, 4 unchanged, 3.0 MB in 420 ms")));
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
                        "freeze", "drain", "sync-sequences", "sync-large-objects", "refresh-matviews", "verify", "reverse", "switch",
                        "rollback", "complete")))
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
    void reverseAndRollbackNeedTheOperatorAndSayWhatTheyStarted() throws Exception {
        when(cutover.reverse("shop", "ops", false)).thenReturn(1);
        when(cutover.rollback("shop", "ops", true)).thenReturn(1);
        mvc.perform(post("/api/mappings/shop/reverse").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        mvc.perform(post("/mappings/shop/rollback").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(status().isForbidden());
        verify(cutover, org.mockito.Mockito.never()).reverse(anyString(), anyString(), anyBoolean());
        mvc.perform(post("/api/mappings/shop/reverse").with(httpBasic("ops", "ops-pw"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.reversed").value(1));
        mvc.perform(post("/mappings/shop/rollback").param("force", "true").with(user("ops").roles("VIEWER", "OPERATOR"))
                .with(csrf())).andExpect(redirectedUrl("/mappings/shop/cutover?done=rollback"))
                .andExpect(flash().attribute("notice", containsString("Rolling 1 database(s) back")));
        when(cutover.reverse("shop", "ops", true)).thenThrow(new ActionRefused("not turned around (nothing changed): "
                + "the source is not frozen"));
        mvc.perform(post("/api/mappings/shop/reverse").param("force", "true").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isConflict()).andExpect(jsonPath("$.error").value(containsString("not frozen")));
        // the checklist offers both, off for this mapping (ALLOW_REVERSE unset)
        mvc.perform(get("/api/mappings/shop/cutover").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.steps[?(@.id == 'reverse')].state").value(org.hamcrest.Matchers.contains("manual")))
                .andExpect(jsonPath("$.rollbackReady").value(false));
    }
}
