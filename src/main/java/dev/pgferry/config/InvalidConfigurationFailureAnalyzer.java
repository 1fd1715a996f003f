package dev.pgferry.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints configuration problems as a list instead of a stack trace. */
class InvalidConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationException cause) {
        return new FailureAnalysis("pgferry's configuration has " + cause.problems().size() + " problem(s):\n  - "
                + String.join("\n  - ", cause.problems()),
                "Fix the variables named above (application.yml.example lists every one) and start pgferry again.",
                cause);
    }
}
