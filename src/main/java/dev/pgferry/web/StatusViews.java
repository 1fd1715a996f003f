package dev.pgferry.web;

import dev.pgferry.copy.SnapshotProgress;
import dev.pgferry.copy.SnapshotCopies;
import dev.pgferry.cutover.Drain;
import dev.pgferry.cutover.MaterializedViews;
import dev.pgferry.cutover.SequenceSync;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.monitor.CopyRates;
import dev.pgferry.monitor.ExactCount;
import dev.pgferry.monitor.ExactCounter;
import dev.pgferry.monitor.LagHistory;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.schema.FidelityCheck;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.schemachange.ChangeReport;
import dev.pgferry.schemachange.SchemaChanges;
import dev.pgferry.schemachange.DdlCapture;
import java.util.List;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Builds the views with what lives beside the status: fidelity reports, lag history, copy rates, exact counts. */
@Component
class StatusViews implements MappingViewAssembler.Extras {

    private final FidelityCheck fidelity;
    private final LagHistory lagHistory;
    private final CopyRates copyRates;
    private final ExactCounter exactCounter;
    private final SequenceSync sequenceSync;
    private final MaterializedViews materializedViews;
    private final dev.pgferry.largeobjects.LargeObjectSync largeObjects;
    private final Verifier verifier;
    private final Drain drain;
    private final Clock clock;
    private final SnapshotCopies snapshotCopies;
    private final SchemaChanges schemaChanges;
    private final DdlCapture ddlCapture;
    private final dev.pgferry.copy.CopyOrigins copyOrigins;
    private final dev.pgferry.config.PgferryConfig config;

    StatusViews(FidelityCheck fidelity, LagHistory lagHistory, CopyRates copyRates,
            ExactCounter exactCounter, SequenceSync sequenceSync, MaterializedViews materializedViews,
            Verifier verifier, Drain drain, Clock clock, SnapshotCopies snapshotCopies, SchemaChanges schemaChanges,
            DdlCapture ddlCapture, dev.pgferry.copy.CopyOrigins copyOrigins, dev.pgferry.config.PgferryConfig config,
            dev.pgferry.largeobjects.LargeObjectSync largeObjects) {
        this.largeObjects = largeObjects;
        this.copyOrigins = copyOrigins;
        this.config = config;
        this.schemaChanges = schemaChanges;
        this.ddlCapture = ddlCapture;
        this.snapshotCopies = snapshotCopies;
        this.verifier = verifier;
        this.drain = drain;
        this.materializedViews = materializedViews;
        this.sequenceSync = sequenceSync;
        this.copyRates = copyRates;
        this.exactCounter = exactCounter;
        this.fidelity = fidelity;
        this.lagHistory = lagHistory;
        this.clock = clock;
    }

    MappingView of(MappingStatus status) {
        return MappingViewAssembler.of(status, this);
    }

    /** Without the lag charts, for pages that list many databases and draw none. */
    MappingView withoutCharts(MappingStatus status) {
        return MappingViewAssembler.of(status, this, false);
    }

    @Override
    public List<DdlCapture.CapturedStatement> capturedStatements(String mapping, String database) {
        return ddlCapture.recent(mapping, database);
    }

    @Override
    public ChangeReport schemaChanges(String mapping, String database) {
        ChangeReport report = schemaChanges.report(mapping, database);
        return report.classifiedAt() == null && report.applied().isEmpty() ? null : report;
    }

    @Override
    public FidelityReport fidelity(String mapping, String database) {
        return fidelity.last(mapping, database);
    }

    @Override
    public Double copyRate(String mapping, String database, String schema, String table) {
        return copyRates.bytesPerSecond(mapping, database, schema, table);
    }

    @Override
    public Optional<ExactCount> exactCount(String mapping, String database) {
        return exactCounter.last(mapping, database);
    }

    @Override
    public SequenceSync.SequenceReport sequenceSync(String mapping, String database) {
        return sequenceSync.last(mapping, database);
    }

    @Override
    public SequenceSync.SequenceReport sequencesKeptBack(String mapping, String database) {
        return sequenceSync.lastBack(mapping, database);
    }

    @Override
    public dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport largeObjects(String mapping, String database) {
        return largeObjects.last(mapping, database);
    }

    @Override
    public MaterializedViews.RefreshReport materializedViews(String mapping, String database) {
        return materializedViews.last(mapping, database);
    }

    @Override
    public Verifier.VerifyReport verification(String mapping, String database) {
        return verifier.last(mapping, database).orElse(null);
    }

    @Override
    public MappingViewAssembler.DrainState drain(String mapping, ObservedDatabase observed) {
        return drain.point(mapping, observed.database())
                .map(p -> new MappingViewAssembler.DrainState(p.lsnText(), drain.drained(mapping, observed)))
                .orElse(MappingViewAssembler.DrainState.NONE);
    }

    @Override
    public java.util.Map<String, String> copyOrigins(String mapping, String database,
            dev.pgferry.monitor.ObservedInstance.CopyRecord record) {
        return config.mapping(mapping).map(m -> copyOrigins.of(m.destination(), mapping, database, record.resumedAt()))
                .orElse(java.util.Map.of());
    }

    @Override
    public Optional<SnapshotProgress.State> snapshotCopy(String mapping, String database) {
        return snapshotCopies.last(mapping, database).map(SnapshotCopies.Copy::state);
    }

    @Override
    public LagChart lagChart(String mapping, String database) {
        var samples = lagHistory.lastHour(mapping, database);
        return samples.isEmpty() ? null : LagChart.of(samples, clock.instant(), java.time.Duration.ofHours(1));
    }
}
