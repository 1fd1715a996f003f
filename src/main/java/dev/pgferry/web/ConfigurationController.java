package dev.pgferry.web;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.notify.Notifications;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The configuration in effect, read-only, as the environment variables set it: passwords show
 * only where they come from ("set", "from file ..."), never their value.
 */
@Controller
class ConfigurationController {

    private final PgferryConfig config;
    private final Notifications notifications;

    ConfigurationController(PgferryConfig config, Notifications notifications) {
        this.config = config;
        this.notifications = notifications;
    }

    /** One instance as the page shows it. */
    record InstanceRow(String name, String address, String user, String password, String sslmode,
            String maintenanceDatabase) {
    }

    /** One mapping's settings, by the variable's last word. */
    record MappingRow(String name, Map<String, String> settings) {
    }

    @GetMapping("/config")
    String configuration(Model model) {
        model.addAttribute("instances", config.instances().values().stream().map(ConfigurationController::instance)
                .toList());
        model.addAttribute("mappings", config.mappings().stream().map(ConfigurationController::mapping).toList());
        model.addAttribute("users", config.users().stream().map(u -> Map.of("name", u.name(), "role",
                lower(u.role().name()), "from", u.encodedPassword() != null ? "PGFERRY_USER_FILE"
                        : "PGFERRY_USERS_*")).toList());
        Map<String, String> general = new LinkedHashMap<>();
        general.put("POLL_INTERVAL", config.pollInterval().toString());
        general.put("READY_MAX_LAG_BYTES", Long.toString(config.ready().maxLagBytes()));
        general.put("READY_MAX_LAG_SECONDS", Long.toString(config.ready().maxLagTime().toSeconds()));
        general.put("READY_STABLE_FOR", config.ready().stableFor().toString());
        general.put("EXACT_COUNT_INTERVAL", config.exactCountInterval().isZero() ? "0 (on demand only)"
                : config.exactCountInterval().toString());
        general.put("DASHBOARD_REFRESH", config.dashboardRefresh().toString());
        general.put("PG_BIN_DIR", config.pgBinDir() == null ? "(newest /usr/lib/postgresql/*/bin, else PATH)"
                : config.pgBinDir());
        model.addAttribute("general", general);
        model.addAttribute("webhooks", notifications.targets());
        return "config";
    }

    private static InstanceRow instance(Instance i) {
        return new InstanceRow(i.name(), i.address(), i.user(), i.password().source(), i.sslmode(),
                i.maintenanceDatabase());
    }

    private static MappingRow mapping(Mapping m) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("SOURCE", m.source().name());
        settings.put("DESTINATION", m.destination().name());
        settings.put("DATABASES", m.databases().isEmpty() ? "(every database but postgres)"
                : String.join(", ", m.databases()));
        settings.put("MODE", lower(m.mode().name()));
        settings.put("COPY_METHOD", lower(m.copyMethod().name()));
        settings.put("CONTENT", lower(m.content().name()).replace('_', '-'));
        settings.put("TABLES_WITHOUT_KEY", lower(m.tablesWithoutKey().name()));
        settings.put("ROLE_CONFLICT", lower(m.roleConflict().name()));
        settings.put("SCHEMAS", list(m.scope().schemas()));
        settings.put("EXCLUDE_SCHEMAS", list(m.scope().excludeSchemas()));
        settings.put("TABLES", list(m.scope().tables().stream().map(t -> t.schema() + "." + t.name()).toList()));
        settings.put("EXCLUDE_TABLES", list(m.scope().excludeTables().stream().map(t -> t.schema() + "." + t.name())
                .toList()));
        return new MappingRow(m.name(), settings);
    }

    private static String list(List<String> values) {
        return values.isEmpty() ? "(all)" : String.join(", ", values);
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
