package dev.pgferry.config;

/** plan: observe and show what would be done; run: act. */
public enum Mode {
    PLAN, RUN
}
