package dev.pgferry.cutover;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import java.util.List;

/**
 * A mapping's cutover checklist, as the cutover page and {@code GET /api/mappings/{name}/cutover}
 * show it: each step with its state, what pgferry sees, the exact commands for this mapping and
 * how to go back. Field names are a contract: add freely, rename none. {@code rollbackReady}:
 * turned around (SWITCHED) and going back would lose nothing. {@code completion}: once complete (or
 * rolled back), the steps that tell how it went (from the audit log), in the runbook's order; empty before.
 */
public record CutoverView(String mapping, String source, String destination, String phase, boolean cutoverReady,
        FreezeView freeze, List<Step> steps, List<ConnectionChange> connections, boolean rollbackReady,
        List<Step> completion) {

    /**
     * One step. action: the POST action of the API and the page that does the step, null for a
     * manual one.
     */
    public record Step(String id, String title, StepState state, String detail, List<String> notes,
            List<String> commands, String rollback, String action, boolean actionEnabled) {
    }

    /**
     * A step's state, shown (and answered by the API) in lower case: done, todo (can be done now),
     * waiting (not yet: the detail says for what), running, failed, manual (pgferry cannot see
     * it: the operator does it and knows), or not_recorded (the mapping is complete, and pgferry has
     * no record of this step: done by hand, or skipped).
     */
    public enum StepState {
        DONE, TODO, WAITING, RUNNING, FAILED, MANUAL, NOT_RECORDED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The write freeze: allowed (configuration), frozen (what pgferry changed, from its records)
     * and what a freeze would change now (roles with why, sessions, warnings). {@code undoCommands}:
     * how to undo it by hand, from the records once frozen (never from the frozen state itself).
     * {@code readAt}: when the source was last read for it (null: not yet; it is read beside the loop).
     */
    public record FreezeView(boolean allowed, String allowVariable, boolean frozen, Instant frozenAt, String frozenBy,
            List<String> changes, List<String> rolesToFreeze, List<String> rolesLeftAlone, long sessionsToEnd,
            List<String> warnings, String error, List<String> undoCommands, Instant readAt) {
    }

    /** What an application's connection to one database changes from and to (no passwords). */
    public record ConnectionChange(String database, String from, String to, String fromJdbc, String toJdbc) {
    }
}
