package dev.pgferry.preparation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What each server of a mapping needs before the start, as exact changes, grouped by server and
 * by what makes them take effect (a restart, a reload, an edit of pg_hba.conf, a grant). Each
 * item says whether the server already satisfies it: true, false, or null when pgferry cannot
 * tell (an advice, or a server it cannot read).
 */
public record Preparation(String mapping, int databases, List<Server> servers) {

    /** Every item pgferry can tell about is satisfied. */
    @JsonProperty("done")
    public boolean done() {
        return servers.stream().allMatch(s -> s.error() == null)
                && servers.stream().flatMap(s -> s.groups().stream()).flatMap(g -> g.items().stream())
                        .noneMatch(i -> Boolean.FALSE.equals(i.satisfied()));
    }

    /** Items that still need a change. */
    @JsonProperty("open")
    public long open() {
        return servers.stream().flatMap(s -> s.groups().stream()).flatMap(g -> g.items().stream())
                .filter(i -> Boolean.FALSE.equals(i.satisfied())).count();
    }

    /** One server: which side, its instance name and address; error when pgferry could not read it. */
    public record Server(String side, String instance, String address, String error, List<Group> groups) {
    }

    /** Items that take effect the same way; {@code then} says how (restart the server, reload it...). */
    public record Group(String title, String then, List<Item> items) {
    }

    /**
     * One change: {@code change} is the exact statement or line, {@code why} the reason with the
     * numbers behind a value, {@code seen} what the server shows now.
     */
    public record Item(String change, String why, String seen, Boolean satisfied) {
    }
}
