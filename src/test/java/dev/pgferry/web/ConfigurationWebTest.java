package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;

/** The web layer: the configuration page (ConfigurationController). */
class ConfigurationWebTest extends WebTestBase {

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
    void aWebhookShowsItsHostAndCountsButNeitherItsPathNorItsSecret() throws Exception {
        mvc.perform(get("/config").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("PGFERRY_NOTIFY_OPS_URL")))
                .andExpect(content().string(containsString("https://127.0.0.1:9/…")))
                .andExpect(content().string(containsString("yes (HMAC-SHA256)")))
                .andExpect(content().string(containsString("never")))
                .andExpect(content().string(not(containsString("hook-secret-token"))))
                .andExpect(content().string(not(containsString("T000"))))
                .andExpect(content().string(not(containsString("hmac-secret"))));
    }
}
