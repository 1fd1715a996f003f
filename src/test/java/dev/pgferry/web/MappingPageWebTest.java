package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
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
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.preflight.Check;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The web layer: a mapping's page and its actions (MappingPageController). */
class MappingPageWebTest extends WebTestBase {

    @Test
    void mappingPageListsDatabasesWithCopyProgressAndConditions() throws Exception {
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("512 B")))
                .andExpect(content().string(containsString("title=\"need 30 s\"")))
                .andExpect(content().string(containsString("<progress max=\"100\" value=\"25\">")))
                .andExpect(content().string(containsString("1/2 tables copied, 1.0 kB of 4.0 kB")))
                // when it was observed: relative, the exact time (UTC, to the second) on hover, no raw stamp
                .andExpect(content().string(org.hamcrest.Matchers.matchesPattern("(?s).*observed <time datetime=\""
                        + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\" title=\"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\">"
                        + "(just now|\\d+ s ago)</time>.*")))
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
    void unknownMappingIsA404Page() throws Exception {
        mvc.perform(get("/mappings/nope").with(user("watcher").roles("VIEWER"))).andExpect(status().isNotFound())
                .andExpect(content().string(containsString("no mapping named nope")));
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
}
