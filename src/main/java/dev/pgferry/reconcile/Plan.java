package dev.pgferry.reconcile;

import java.util.List;

/** The planner's answer for one database: its phase, why, and the next steps in order. */
public record Plan(Phase phase, String reason, List<Action> actions) {

    public Plan {
        actions = List.copyOf(actions);
    }

    static Plan of(Phase phase, String reason, List<Action> actions) {
        return new Plan(phase, reason, actions);
    }

    static Plan of(Phase phase, String reason) {
        return new Plan(phase, reason, List.of());
    }
}
