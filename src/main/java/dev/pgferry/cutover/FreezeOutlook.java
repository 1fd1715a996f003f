package dev.pgferry.cutover;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.Freeze.FreezeState;
import java.time.Instant;
import java.util.Locale;

/**
 * Where a mapping's freeze stands: whether the assisted freeze is allowed, what it changed (if
 * frozen), what it would change now (or why that could not be read), and when that was read
 * ({@code readAt} null: not read yet). Read beside the loop by {@link FreezeOutlooks}; pages only
 * show it.
 */
public record FreezeOutlook(boolean allowed, String allowVariable, FreezeState state, FreezePlan plan, String error,
        Instant readAt) {

    /** Before the first read: only what the configuration says. */
    public static FreezeOutlook notReadYet(Mapping mapping) {
        return new FreezeOutlook(mapping.allowFreeze(), allowVariable(mapping), null, null, null, null);
    }

    public boolean frozen() {
        return state != null && state.frozen();
    }

    /** The setting that turns the assisted freeze on for the mapping. */
    public static String allowVariable(Mapping mapping) {
        return "PGFERRY_MAPPINGS_" + mapping.name().toUpperCase(Locale.ROOT) + "_ALLOW_FREEZE";
    }
}
