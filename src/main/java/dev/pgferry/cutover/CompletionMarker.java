package dev.pgferry.cutover;

import dev.pgferry.audit.ControlRecords;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.PgErrors;
import java.sql.SQLException;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Marks databases complete. The marker is written first and the cleanup follows on the next
 * tick, driven by the planner: a crash in between leaves a marker whose cleanup simply resumes,
 * never a half-removed migration that would be started again.
 */
@Component
public class CompletionMarker {

    private final ControlRecords records;

    public CompletionMarker(ControlRecords records) {
        this.records = records;
    }

    public void markComplete(Mapping mapping, List<String> databases, String actor, boolean forced)
            throws CompletionException {
        try {
            for (String database : databases) {
                records.markComplete(mapping.destination(), mapping.name(), database, actor);
                records.audit(mapping.destination(), actor, forced ? "complete (forced)" : "complete", mapping.name(),
                        database, "marked complete; subscription, slot and publication are being removed");
            }
        } catch (SQLException e) {
            throw new CompletionException("could not record completion on destination " + mapping.destination().name()
                    + ": " + PgErrors.describe(e));
        }
    }

    /** A schema-only database is complete once its schema is in: nothing replicates. */
    public void markSchemaOnlyDone(Mapping mapping, String database) throws ActionException {
        try {
            records.markComplete(mapping.destination(), mapping.name(), database, "pgferry");
            records.audit(mapping.destination(), "pgferry", "complete (schema-only)", mapping.name(), database,
                    "schema copied; schema-only mappings replicate no data");
        } catch (SQLException e) {
            throw ActionException.from("record completion of " + database, e);
        }
    }

    public static class CompletionException extends Exception {
        public CompletionException(String message) {
            super(message);
        }
    }
}
