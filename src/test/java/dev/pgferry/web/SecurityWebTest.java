package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrlPattern;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The web layer: the login, the security headers and the pages as whole pages or polled fragments (SecurityConfig, PageDefaults). */
class SecurityWebTest extends WebTestBase {

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
}
