package dev.pgferry.config;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * A value Spring could not convert (e.g. PGFERRY_POLL_INTERVAL=soon) is reported with the
 * environment variable's name, like every other configuration problem. Never prints a
 * password: only durations and sizes fail to convert.
 */
class PropertyBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        String name = cause.getName().toString();
        if (!name.startsWith("pgferry")) {
            return null;
        }
        ConfigurationProperty property = cause.getProperty();
        String variable = (property == null ? name : property.getName().toString()).toUpperCase()
                .replace('.', '_').replace('-', '_').replace("[", "_").replace("]", "");
        String value = property == null ? "" : "=" + property.getValue();
        Throwable reason = cause.getCause();
        while (reason != null && reason.getCause() != null) {
            reason = reason.getCause();
        }
        return new FailureAnalysis("pgferry's configuration has 1 problem(s):\n  - " + variable + value
                + ": not a valid value (" + (reason == null ? "unreadable" : reason.getMessage()) + ")",
                "Use a duration such as 5s or 2m, or a size such as 16MB, as application.yml.example shows, and "
                        + "start pgferry again.", cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
