package dev.pgferry.cutover;

import dev.pgferry.audit.ControlRecords;
import dev.pgferry.audit.ControlRecords.RollbackStage;
import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.Freeze.FreezeFailed;
import dev.pgferry.cutover.Freeze.Side;
import dev.pgferry.cutover.SequenceSync.SequenceReport;
import dev.pgferry.cutover.Verifier.VerifyReport;
import dev.pgferry.largeobjects.LargeObjectSync;
import dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport;
import dev.pgferry.monitor.ExactCounter.TableName;
import dev.pgferry.pg.ActionException;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The steps of a rollback after the freeze and the freeze point on the destination (taken by the
 * operator's action): the source's sequences, the verification, and the end (source unfrozen,
 * rollback recorded). Each records itself when done, so that none is repeated after a restart
 * and a failed one is tried again.
 */
@Component
public class RollbackSteps {

    private final SequenceSync sequences;
    private final Verifier verifier;
    private final Freeze freeze;
    private final ControlRecords records;

    private final LargeObjectSync largeObjects;

    public RollbackSteps(SequenceSync sequences, Verifier verifier, Freeze freeze, ControlRecords records,
            LargeObjectSync largeObjects) {
        this.largeObjects = largeObjects;
        this.sequences = sequences;
        this.verifier = verifier;
        this.freeze = freeze;
        this.records = records;
    }

    /**
     * The source's sequences from the destination's, and the large objects the applications
     * created or changed on the destination (neither is carried by logical replication).
     */
    public void setSourceSequences(Mapping mapping, String database) throws ActionException {
        SequenceReport report = sequences.runBack(mapping, database, "pgferry (rollback)");
        if (report.error() != null) {
            throw new ActionException("the source's sequences could not be set from the destination: "
                    + report.error(), true);
        }
        LargeObjectReport objects = largeObjects.runBack(mapping, database, "pgferry (rollback)");
        if (objects.error() != null) {
            throw new ActionException("the large objects could not be copied back to the source: " + objects.error(),
                    true);
        }
        record(mapping, database, RollbackStage.SEQUENCES);
    }

    public void verify(Mapping mapping, String database, List<TableName> tables) throws ActionException {
        VerifyReport report = verifier.verifyNow(mapping, database, tables, "pgferry (rollback)");
        if (report.error() != null) {
            throw new ActionException("the verification before going back failed: " + report.error(), true);
        }
        if (!report.allEqual()) {
            throw new ActionException("rollback halted: " + report.tablesDiffering() + " table(s) differ between the "
                    + "destination and the source: " + report.tables().stream().filter(t -> !t.equal())
                            .map(t -> t.schema() + "." + t.name() + " (" + t.firstDifference() + ")")
                            .collect(Collectors.joining(", ")) + ". The applications stay frozen on both sides; "
                    + "the database's page shows the ranges. It is verified again after the back-off", false);
        }
        record(mapping, database, RollbackStage.VERIFIED);
    }

    /**
     * Once every database of the mapping is verified: the source unfrozen (its applications go
     * back), then every database recorded rolled back. A source unfrozen already (a stop in
     * between) is no failure.
     */
    public void finish(Mapping mapping, String database) throws ActionException {
        try {
            if (!records.rollbackVerified(mapping.destination(), mapping.name())) {
                throw new ActionException("waiting for the other databases of mapping " + mapping.name()
                        + " to be verified before the source is unfrozen", true);
            }
            if (freeze.state(mapping, Side.SOURCE).frozen()) {
                freeze.unfreeze(mapping, Side.SOURCE);
            }
            records.markRollback(mapping.destination(), mapping.name(), null, RollbackStage.ROLLED_BACK);
            records.auditAfterwards(mapping.destination(), "pgferry", "rollback done", mapping.name(), null,
                    "every database verified; the source unfrozen; the reverse direction is removed next");
        } catch (FreezeFailed e) {
            throw new ActionException("the source could not be unfrozen: " + e.getMessage(), true);
        } catch (SQLException e) {
            throw ActionException.from("finish the rollback of " + database, e);
        }
    }

    private void record(Mapping mapping, String database, RollbackStage stage) throws ActionException {
        try {
            records.markRollback(mapping.destination(), mapping.name(), database, stage);
        } catch (SQLException e) {
            throw ActionException.from("record the rollback's progress of " + database, e);
        }
    }
}
