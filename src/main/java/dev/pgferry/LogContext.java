package dev.pgferry;

import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Puts the mapping and database a piece of work is about into the logging context (MDC), so that
 * every log line it writes carries them: as fields in the structured JSON logs
 * ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}), where a log pipeline filters on them.
 */
public final class LogContext {

    public static final String MAPPING = "mapping";
    public static final String DATABASE = "database";

    private LogContext() {
    }

    /** Runs the work with the mapping (and the database, when not null) in the logging context. */
    public static <T> T about(String mapping, String database, Supplier<T> work) {
        String previousMapping = MDC.get(MAPPING);
        String previousDatabase = MDC.get(DATABASE);
        MDC.put(MAPPING, mapping);
        if (database != null) {
            MDC.put(DATABASE, database);
        }
        try {
            return work.get();
        } finally {
            restore(MAPPING, previousMapping);
            restore(DATABASE, previousDatabase);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
