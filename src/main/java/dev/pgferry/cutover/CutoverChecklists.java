package dev.pgferry.cutover;

import dev.pgferry.cutover.CutoverChecklist.DatabaseFacts;
import dev.pgferry.cutover.CutoverChecklist.Facts;
import dev.pgferry.preflight.RoleStates.RoleState;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Gathers what a mapping's cutover checklist is decided from (its last status, the freeze's
 * outlook, each database's reports), all from memory, and lets {@link CutoverChecklist} decide.
 */
@Component
public class CutoverChecklists {

    private final StatusBoard board;
    private final FreezeOutlooks outlooks;
    private final FidelityCheck fidelity;
    private final Drain drain;
    private final SequenceSync sequences;
    private final MaterializedViews views;
    private final Verifier verifier;
    private final CutoverRecords records;
    private final dev.pgferry.largeobjects.LargeObjectSync largeObjects;

    public CutoverChecklists(StatusBoard board, FreezeOutlooks outlooks, FidelityCheck fidelity, Drain drain,
            SequenceSync sequences, MaterializedViews views, Verifier verifier, CutoverRecords records,
            dev.pgferry.largeobjects.LargeObjectSync largeObjects) {
        this.largeObjects = largeObjects;
        this.records = records;
        this.board = board;
        this.outlooks = outlooks;
        this.fidelity = fidelity;
        this.drain = drain;
        this.sequences = sequences;
        this.views = views;
        this.verifier = verifier;
    }

    /** The checklist of a configured mapping; empty for an unknown name. */
    public Optional<CutoverView> of(String mapping) {
        return board.get(mapping).map(status -> CutoverChecklist.of(new Facts(status,
                outlooks.last(status.mapping()), status.databases().stream().map(d -> facts(status, d)).toList(),
                records == null ? List.of() : records.of(mapping))));
    }

    private DatabaseFacts facts(MappingStatus status, DatabaseStatus d) {
        String mapping = status.mapping().name();
        String database = d.database();
        return new DatabaseFacts(d, fidelity.last(mapping, database), drain.point(mapping, database).orElse(null),
                drain.drained(mapping, d.observed()), sequences.last(mapping, database),
                views.last(mapping, database), verifier.last(mapping, database).orElse(null),
                status.roleStates(d).stream().filter(r -> "needs-password".equals(r.state())).map(RoleState::role)
                        .toList(), largeObjects.last(mapping, database));
    }
}
