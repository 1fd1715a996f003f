package dev.pgferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.pgferry.config.EnvironmentVariables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart (helm/pgferry), linted and rendered by Helm itself (helm-java: Helm's Go library
 * in-process, no CLI and no cluster), and the rendered manifests checked: environment variables
 * named exactly as pgferry's configuration contract reads them, passwords referenced from
 * Secrets and never inlined, probes on the actuator health groups, a non-root read-only
 * container, one replica replaced by Recreate, optional Ingress, ServiceMonitor and
 * PrometheusRule (its alert rules checked by promtool).
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "pgferry");
    private static final Path EVERY_OPTION = Path.of("src", "test", "resources", "helm", "every-option.yaml");

    @Test
    void theChartLintsCleanWithItsDefaultsAndWithEveryOption() {
        LintResult defaults = new Helm(CHART).lint().strict().call();
        assertThat(defaults.isFailed()).as(String.join("\n", defaults.getMessages())).isFalse();
        // the defaults render a deployment that starts and explains what to configure
        assertThat(manifests(new Helm(CHART).template().withName("p").call())).extracting(m -> m.get("kind"))
                .contains("Deployment", "Service").doesNotContain("Ingress", "ServiceMonitor", "Secret");
    }

    @Test
    void everyVariableIsOneThatPgferryReadsWithPasswordsFromSecretsOnly() {
        String rendered = render();
        Map<String, Map<String, Object>> env = env(deployment(manifests(rendered)));

        assertThat(EnvironmentVariables.unknown(asValues(env))).as("variables pgferry would refuse").isEmpty();
        assertThat(env).containsKeys("PGFERRY_INSTANCES_OLD_HOST", "PGFERRY_INSTANCES_OLD_PORT",
                "PGFERRY_INSTANCES_OLD_USER", "PGFERRY_INSTANCES_OLD_SSLMODE", "PGFERRY_INSTANCES_OLD_PASSWORD",
                "PGFERRY_INSTANCES_OLD_REPLICATION_HOST", "PGFERRY_INSTANCES_OLD_REPLICATION_PORT",
                "PGFERRY_INSTANCES_OLD_REPLICATION_SSLMODE", "PGFERRY_INSTANCES_OLD_SSLROOTCERT",
                "PGFERRY_INSTANCES_OLD_SSLCERT", "PGFERRY_INSTANCES_OLD_SSLKEY",
                "PGFERRY_INSTANCES_NEW_PASSWORD", "PGFERRY_INSTANCES_AZURE_PASSWORD_COMMAND",
                "PGFERRY_INSTANCES_ROTATING_PASSWORD_FILE", "PGFERRY_MAPPINGS_MAIN_SOURCE",
                "PGFERRY_MAPPINGS_MAIN_DESTINATION", "PGFERRY_MAPPINGS_MAIN_DATABASES", "PGFERRY_MAPPINGS_MAIN_MODE",
                "PGFERRY_MAPPINGS_MAIN_COPY_METHOD", "PGFERRY_MAPPINGS_MAIN_COPY_WORKERS",
                "PGFERRY_MAPPINGS_MAIN_COPY_MAX_RATE", "PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM",
                "PGFERRY_MAPPINGS_MAIN_TABLES_WITHOUT_KEY",
                "PGFERRY_MAPPINGS_MAIN_ALLOW_FREEZE", "PGFERRY_MAPPINGS_MAIN_EXCLUDE_SCHEMAS",
                "PGFERRY_MAPPINGS_MAIN_FREEZE_ROLES", "PGFERRY_MAPPINGS_MAIN_FREEZE_EXCLUDE_ROLES",
                "PGFERRY_MAPPINGS_MAIN_ADOPT_DATABASES",
                "PGFERRY_USERS_ADMIN_ROLE", "PGFERRY_USERS_ADMIN_PASSWORD", "PGFERRY_USERS_WATCHER_PASSWORD",
                "PGFERRY_POLL_INTERVAL", "PGFERRY_READY_STABLE_FOR", "PGFERRY_SHUTDOWN_GRACE",
                "LOGGING_STRUCTURED_FORMAT_CONSOLE");
        assertThat(env.get("PGFERRY_INSTANCES_OLD_PORT").get("value")).isEqualTo("5433");
        assertThat(env.get("PGFERRY_INSTANCES_OLD_REPLICATION_PORT").get("value")).isEqualTo("6432");
        assertThat(env.get("PGFERRY_MAPPINGS_MAIN_COPY_MAX_RATE").get("value")).isEqualTo("50MB");
        assertThat(env.get("PGFERRY_MAPPINGS_MAIN_COPY_MAINTENANCE_WORK_MEM").get("value")).isEqualTo("1GB");
        // TLS files from the instance's Secret, mounted read-only with the key for pgferry's group only
        assertThat(env.get("PGFERRY_INSTANCES_OLD_SSLKEY").get("value")).isEqualTo("/run/secrets/pgferry/tls-old/tls.key");
        assertThat(env.get("PGFERRY_INSTANCES_OLD_SSLROOTCERT").get("value"))
                .isEqualTo("/run/secrets/pgferry/tls-old/ca.crt");
        assertThat(volumeMounts(deployment(manifests(rendered)))).contains("/run/secrets/pgferry/tls-old");
        assertThat(rendered).contains("secretName: \"old-db-tls\", defaultMode: 288");
        assertThat(env.get("PGFERRY_USERS_WATCHER_ROLE").get("value")).isEqualTo("viewer");

        // every password variable is a reference to a Secret, never a value
        env.forEach((name, variable) -> {
            if (name.endsWith("_PASSWORD")) {
                assertThat(variable).as(name).doesNotContainKey("value");
                assertThat(variable).as(name).extracting("valueFrom").extracting("secretKeyRef").isNotNull();
            }
        });
        assertThat(secretRef(env, "PGFERRY_INSTANCES_OLD_PASSWORD")).containsEntry("name", "old-db")
                .containsEntry("key", "password");
        assertThat(secretRef(env, "PGFERRY_INSTANCES_NEW_PASSWORD")).containsEntry("name", "p-pgferry-passwords")
                .containsEntry("key", "instance-new");
        // passwords given as values are in the chart's Secret only, base64-encoded
        String deploymentText = new Yaml().dump(deployment(manifests(rendered)));
        assertThat(deploymentText).doesNotContain("chart-made-secret-value").doesNotContain("viewer-secret-value");
        Map<String, Object> secret = manifests(rendered).stream().filter(m -> "Secret".equals(m.get("kind")))
                .findFirst().orElseThrow();
        assertThat(rendered).doesNotContain("chart-made-secret-value");
        assertThat((Map<String, Object>) secret.get("data")).containsKeys("instance-new", "user-watcher");
        // a rotated secret is re-read: the file variable points into the mounted secret
        assertThat(env.get("PGFERRY_INSTANCES_ROTATING_PASSWORD_FILE").get("value"))
                .isEqualTo("/run/secrets/pgferry/instance-rotating/pw");
        assertThat(volumeMounts(deployment(manifests(rendered)))).contains("/run/secrets/pgferry/instance-rotating");
        // a webhook's URL and signing key come from Secrets only (a webhook's path is its credential)
        assertThat(secretRef(env, "PGFERRY_NOTIFY_OPS_URL")).containsEntry("name", "pgferry-webhooks")
                .containsEntry("key", "slack");
        assertThat(env.get("PGFERRY_NOTIFY_OPS_FORMAT").get("value")).isEqualTo("slack");
        assertThat(env.get("PGFERRY_NOTIFY_OPS_EVENTS").get("value")).isEqualTo("ready,failure");
        assertThat(secretRef(env, "PGFERRY_NOTIFY_AUDIT_SECRET")).containsEntry("key", "hmac");
        assertThat(env.get("PGFERRY_NOTIFY_AUDIT_URL")).doesNotContainKey("value");
    }

    @Test
    void aWebhookWithoutItsUrlSecretIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("p").set("notifications.ops.format", "slack")
                .call()).hasMessageContaining("notifications.ops: set urlSecret");
    }

    @Test
    void thePodRunsAsNonRootWithAReadOnlyRootAndProbesOnTheHealthGroups() {
        Map<String, Object> deployment = deployment(manifests(render()));
        Map<String, Object> spec = map(deployment, "spec");
        assertThat(spec.get("replicas")).isEqualTo(1);
        assertThat(map(spec, "strategy")).containsEntry("type", "Recreate");
        Map<String, Object> pod = map(map(spec, "template"), "spec");
        assertThat(map(pod, "securityContext")).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001);
        Map<String, Object> container = container(deployment);
        assertThat(map(container, "securityContext")).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(map(map(container, "livenessProbe"), "httpGet")).containsEntry("path", "/actuator/health/liveness");
        assertThat(map(map(container, "readinessProbe"), "httpGet"))
                .containsEntry("path", "/actuator/health/readiness");
        assertThat(map(map(container, "startupProbe"), "httpGet")).containsEntry("path", "/actuator/health/liveness");
        assertThat(volumeMounts(deployment)).contains("/tmp");
        assertThat(map(container, "resources")).containsKeys("requests", "limits");
        assertThat((String) container.get("image")).isEqualTo("registry.example.com/pgferry:9.9.9");
    }

    @Test
    void ingressAndServiceMonitorAreRenderedWhenAsked() {
        List<Map<String, Object>> manifests = manifests(render());
        Map<String, Object> monitor = manifests.stream().filter(m -> "ServiceMonitor".equals(m.get("kind")))
                .findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = ((List<Map<String, Object>>) map(monitor, "spec").get("endpoints")).getFirst();
        assertThat(endpoint).containsEntry("path", "/actuator/prometheus");
        assertThat(map(map(endpoint, "basicAuth"), "password")).containsEntry("name", "pgferry-scraper");
        assertThat(manifests).extracting(m -> m.get("kind")).contains("Ingress");
    }

    /**
     * The chart's PrometheusRule, checked by Prometheus's own promtool: the rules parse
     * ({@code check rules}) and fire on what they are meant for, quiet otherwise ({@code test
     * rules} with alert-rules-test.yaml). promtool comes from Debian's prometheus package
     * (.ci/promtool puts it in ~/.cache/pgferry/promtool, fetched by the test when missing;
     * -Dpgferry.test.promtool overrides).
     */
    @Test
    void theAlertRulesAreRenderedWhenAskedAndPromtoolChecksThem() throws Exception {
        assertThat(manifests(new Helm(CHART).template().withName("p").call())).extracting(m -> m.get("kind"))
                .doesNotContain("PrometheusRule");
        Map<String, Object> rule = manifests(render()).stream().filter(m -> "PrometheusRule".equals(m.get("kind")))
                .findFirst().orElseThrow();
        assertThat(map(map(rule, "metadata"), "labels")).containsEntry("release", "prometheus");
        Path dir = java.nio.file.Files.createTempDirectory("pgferry-rules-");
        try {
            java.nio.file.Files.writeString(dir.resolve("rules.yaml"), new Yaml().dump(map(rule, "spec")));
            java.nio.file.Files.copy(Path.of("src", "test", "resources", "helm", "alert-rules-test.yaml"),
                    dir.resolve("alert-rules-test.yaml"));
            assertThat(promtool(dir, "check", "rules", "rules.yaml")).contains("SUCCESS: 7 rules found");
            assertThat(promtool(dir, "test", "rules", "alert-rules-test.yaml")).contains("SUCCESS");
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    /** Runs promtool in the folder; fails with its output when it does. */
    private static String promtool(Path dir, String... args) throws Exception {
        Path binary = Path.of(System.getProperty("pgferry.test.promtool",
                Path.of(System.getProperty("user.home"), ".cache", "pgferry", "promtool", "promtool").toString()));
        if (!java.nio.file.Files.isExecutable(binary)) {
            // fetched once, as .ci/run does: Debian's prometheus package, unpacked into the cache
            new ProcessBuilder("bash", Path.of(".ci", "promtool").toAbsolutePath().toString(),
                    binary.getParent().toString()).redirectErrorStream(true).redirectOutput(
                            ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        assertThat(binary).as("promtool (Debian's prometheus package): .ci/promtool could not fetch it; run it to "
                + "see why, or set -Dpgferry.test.promtool").isExecutable();
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("promtool " + String.join(" ", args) + ":\n" + output).isZero();
        return output;
    }

    @Test
    void aNameWithAnUnderscoreIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("p").set("instances.old_db.host", "h")
                .set("instances.old_db.user", "u").call())
                .hasMessageContaining("one word of letters and digits");
    }

    private static String render() {
        return new Helm(CHART).template().withName("p").withValuesFile(EVERY_OPTION).call();
    }

    private static List<Map<String, Object>> manifests(String rendered) {
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object document : new Yaml().loadAll(rendered)) {
            if (document instanceof Map<?, ?> manifest) {
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) manifest;
                manifests.add(typed);
            }
        }
        return manifests;
    }

    private static Map<String, Object> deployment(List<Map<String, Object>> manifests) {
        return manifests.stream().filter(m -> "Deployment".equals(m.get("kind"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> deployment) {
        return ((List<Map<String, Object>>) map(map(map(deployment, "spec"), "template"), "spec").get("containers"))
                .getFirst();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> env(Map<String, Object> deployment) {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) container(deployment).get("env")) {
            env.put((String) variable.get("name"), variable);
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumeMounts(Map<String, Object> deployment) {
        return ((List<Map<String, Object>>) container(deployment).get("volumeMounts")).stream()
                .map(m -> (String) m.get("mountPath")).toList();
    }

    private static Map<String, String> asValues(Map<String, Map<String, Object>> env) {
        Map<String, String> values = new LinkedHashMap<>();
        env.keySet().forEach(name -> values.put(name, ""));
        return values;
    }

    private static Map<String, Object> secretRef(Map<String, Map<String, Object>> env, String name) {
        return map(map(env.get(name), "valueFrom"), "secretKeyRef");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }
}
