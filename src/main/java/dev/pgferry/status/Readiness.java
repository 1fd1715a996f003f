package dev.pgferry.status;

import java.util.List;

/** The cutover-ready light of one database with each condition, met or not. */
public record Readiness(boolean ready, List<Condition> conditions) {

    public Readiness {
        conditions = List.copyOf(conditions);
    }

    public static Readiness notReady(String why) {
        return new Readiness(false, List.of(new Condition("streaming", false, why)));
    }

    /** The first condition not met, for the one-line reason. */
    public String blockingReason() {
        return conditions.stream().filter(c -> !c.met()).map(Condition::detail).findFirst().orElse("ready");
    }

    public record Condition(String id, boolean met, String detail) {
    }
}
