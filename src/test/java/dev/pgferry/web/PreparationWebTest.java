package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.preflight.Check;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Readiness;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The web layer: the preparation checklist (page and API), linked from a BLOCKED database. */
class PreparationWebTest extends WebTestBase {

    private void blocked() {
        MappingStatus streaming = board.get("shop").orElseThrow();
        DatabaseStatus database = new DatabaseStatus(ObservedDatabase.unobserved("shop", Instant.now()),
                List.of(Check.block("source.privileges.replication", "u may not replicate",
                        "ALTER ROLE \"u\" WITH REPLICATION;")), Readiness.notReady("blocked"),
                Plan.of(Phase.BLOCKED, "blocked by source.privileges.replication"), Optional.empty());
        board.publish(new MappingStatus(SHOP, streaming.source(), ObservedInstance.unreachable("new",
                "connection refused"), List.of(database), Instant.now()));
    }

    @Test
    void aBlockedDatabaseLinksTheChecklistWhichSaysWhatEachServerNeeds() throws Exception {
        blocked();
        for (String page : List.of("/", "/mappings/shop", "/mappings/shop/database?name=shop")) {
            mvc.perform(get(page).with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                    .andExpect(content().string(containsString("href=\"/mappings/shop/preparation\"")));
        }
        mvc.perform(get("/mappings/shop/preparation").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("Preparing the servers of")))
                .andExpect(content().string(containsString("ALTER SYSTEM SET wal_level = logical;")))
                .andExpect(content().string(containsString("ALTER ROLE &quot;u&quot; WITH REPLICATION;")))
                .andExpect(content().string(containsString("Not read: connection refused")))
                .andExpect(content().string(containsString("host  shop  u  10.0.0.2/32  scram-sha-256")))
                .andExpect(content().string(not(containsString("db-secret"))));
    }

    @Test
    void theApiGivesTheSameChecklist() throws Exception {
        blocked();
        mvc.perform(get("/api/mappings/shop/preparation").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.mapping").value("shop"))
                .andExpect(jsonPath("$.servers[0].side").value("source"))
                .andExpect(jsonPath("$.servers[1].side").value("destination"))
                .andExpect(jsonPath("$.servers[1].error").value("connection refused"))
                .andExpect(jsonPath("$.servers[0].groups[0].items[0].change")
                        .value("ALTER SYSTEM SET wal_level = logical;"))
                .andExpect(jsonPath("$.done").value(false));
        mvc.perform(get("/api/mappings/nope/preparation").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isNotFound());
        mvc.perform(get("/mappings/nope/preparation").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isNotFound());
    }
}
