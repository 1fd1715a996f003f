package dev.pgferry.web;

import dev.pgferry.config.PgferryConfig;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every page needs: the htmx polling trigger ("every 5s" by default, PGFERRY_DASHBOARD_REFRESH). */
@ControllerAdvice(assignableTypes = {DashboardController.class, MappingPageController.class,
        DatabasePageController.class, CutoverPageController.class})
class PageDefaults {

    private final String refreshTrigger;

    PageDefaults(PgferryConfig config) {
        this.refreshTrigger = "every " + config.dashboardRefresh().toMillis() + "ms";
    }

    @ModelAttribute("refreshTrigger")
    String refreshTrigger() {
        return refreshTrigger;
    }
}
