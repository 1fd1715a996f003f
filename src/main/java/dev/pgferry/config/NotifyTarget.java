package dev.pgferry.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One webhook pgferry tells about changes ({@code PGFERRY_NOTIFY_<N>_*}). The URL is a secret
 * of its own (a Slack or Teams webhook's path is its credential): only {@link #shownUrl()} is
 * ever printed.
 */
public record NotifyTarget(String name, URI url, Format format, Set<String> events, Secret secret) {

    /** The kinds of event a target may choose ({@code _EVENTS}); every one by default. */
    public static final List<String> EVENTS = List.of("phase", "ready", "alert", "action", "failure");

    /** The body's shape: pgferry's own JSON (signed with {@code _SECRET}), or a chat's incoming webhook. */
    public enum Format {
        JSON, SLACK, TEAMS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public NotifyTarget {
        events = Set.copyOf(events);
    }

    public boolean wants(String event) {
        return events.contains(event);
    }

    public boolean signed() {
        return secret != null && secret.isPresent();
    }

    /** Scheme, host and port only: the path and query of a webhook URL are its secret. */
    public String shownUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/…";
    }

    @Override
    public String toString() {
        return "NotifyTarget[name=" + name + ", url=" + shownUrl() + ", format=" + format.label() + ", events="
                + events + ", signed=" + signed() + "]";
    }
}
