package dev.pgferry.status;

import java.time.Instant;

/**
 * Whether this pgferry holds a mapping's lease, and so may act on it. Only the holder acts; any
 * other pgferry on the same mapping observes and plans, and says who holds it. {@code holder}
 * names this process when held, the other one when passive, and is null when nobody can be
 * told (the destination is unreachable, {@code problem} says why: then nobody acts).
 */
public record Lease(boolean held, String holder, Instant since, String problem) {

    public static Lease held(String self, Instant since) {
        return new Lease(true, self, since, null);
    }

    public static Lease passive(String holder, Instant since) {
        return new Lease(false, holder, since, null);
    }

    public static Lease unknown(String problem) {
        return new Lease(false, null, null, problem);
    }

    /** Before the first tick, and for pages before any lease was asked for. */
    public static Lease notYet() {
        return new Lease(false, null, null, "not asked for yet");
    }

    /** The sentence pages and refusals show when this pgferry does not act on the mapping. */
    public String passiveReason() {
        if (held) {
            return null;
        }
        if (holder == null) {
            return "this pgferry does not act on the mapping: its lease on the destination cannot be taken ("
                    + problem + ")";
        }
        return "passive: another pgferry (" + holder + ") holds this mapping's lease" + (since == null ? ""
                : " since " + since) + "; this one only observes";
    }
}
