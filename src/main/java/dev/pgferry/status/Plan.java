package dev.pgferry.status;

import java.util.List;

/**
 * The planner's answer for one database: its phase, why, the next steps in order, and the ids
 * of the checks that block them. Steps are carried out only in run mode and when nothing blocks;
 * otherwise they are what run mode would do.
 */
public record Plan(Phase phase, String reason, List<Action> actions, List<String> blockedBy) {

    public Plan {
        actions = List.copyOf(actions);
        blockedBy = List.copyOf(blockedBy);
    }

    public Plan(Phase phase, String reason, List<Action> actions) {
        this(phase, reason, actions, List.of());
    }

    public static Plan of(Phase phase, String reason, List<Action> actions) {
        return new Plan(phase, reason, actions);
    }

    public static Plan of(Phase phase, String reason) {
        return new Plan(phase, reason, List.of());
    }

    /** Whether the reconciler may carry out the steps now (run mode is checked by the caller). */
    public boolean executable() {
        return blockedBy.isEmpty() && phase != Phase.PLANNED && phase != Phase.BLOCKED;
    }
}
