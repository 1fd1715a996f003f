package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.reconcile.ActionRefused;
import org.junit.jupiter.api.Test;

/** The web layer: the mappings' JSON API (MappingApiController). */
class MappingApiWebTest extends WebTestBase {

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
    void apiCompleteUsesBasicAuthWithoutCsrfAndReportsRefusals() throws Exception {
        mvc.perform(post("/api/mappings/shop/complete").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isForbidden());
        when(actions.complete(eq("shop"), anyString(), anyBoolean()))
                .thenThrow(new ActionRefused("mapping shop is not cutover-ready"));
        mvc.perform(post("/api/mappings/shop/complete").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.error").value("mapping shop is not cutover-ready"));
    }
}
