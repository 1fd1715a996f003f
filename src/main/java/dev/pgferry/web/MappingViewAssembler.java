package dev.pgferry.web;

import dev.pgferry.monitor.ExactCounter.TableName;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.preflight.Compatibility;
import dev.pgferry.schemachange.ChangeReport;
import dev.pgferry.schemachange.DdlCapture;
import dev.pgferry.schemachange.SchemaChange;
import dev.pgferry.web.MappingView.ChangeView;
import dev.pgferry.web.MappingView.SchemaChangesView;
import dev.pgferry.status.Action;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.web.MappingView.AlertView;
import dev.pgferry.web.MappingView.CheckView;
import dev.pgferry.web.MappingView.CopyTotals;
import dev.pgferry.web.MappingView.CutoverReports;
import dev.pgferry.web.MappingView.ReplicationView;
import dev.pgferry.web.MappingView.ReverseView;
import dev.pgferry.web.MappingView.RowTotals;
import dev.pgferry.web.MappingView.ConditionView;
import dev.pgferry.web.MappingView.DatabaseView;
import dev.pgferry.web.MappingView.PartitionView;
import dev.pgferry.web.MappingView.SequenceView;
import dev.pgferry.web.MappingView.TableView;
import dev.pgferry.copy.SnapshotProgress;
import dev.pgferry.cutover.MaterializedViews;
import dev.pgferry.cutover.SequenceSync;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.monitor.ExactCount;
import dev.pgferry.web.MappingView.ExactCountView;
import dev.pgferry.web.MappingView.SchemaView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.Locale;
import java.util.Map;

/** Turns the last observed status into the views that pages and the API share. */
final class MappingViewAssembler {

    /** pg_subscription_rel states once a table's copy is done: finished, synchronized, ready. */
    private static final Set<String> DONE_COPYING = Set.of("f", "s", "r");
    private static final Map<String, String> SYNC_STATES = Map.of("i", "initializing", "d", "copying data",
            "f", "copy finished", "s", "synchronized", "r", "ready");

    private MappingViewAssembler() {
    }

    /** A database's freeze point (LSN text) and whether its slot has passed it. */
    record DrainState(String freezePoint, Boolean drained) {
        static final DrainState NONE = new DrainState(null, null);
    }

    /** What the views show beside the status: fidelity reports, lag charts, copy rates, exact counts. */
    interface Extras {
        default FidelityReport fidelity(String mapping, String database) {
            return null;
        }

        default LagChart lagChart(String mapping, String database) {
            return null;
        }

        default Double copyRate(String mapping, String database, String schema, String table) {
            return null;
        }

        default Optional<ExactCount> exactCount(String mapping, String database) {
            return Optional.empty();
        }

        default SequenceSync.SequenceReport sequenceSync(String mapping, String database) {
            return null;
        }

        /** The last setting of the source's sequences from the destination's (turned around), or null. */
        default SequenceSync.SequenceReport sequencesKeptBack(String mapping, String database) {
            return null;
        }

        default MaterializedViews.RefreshReport materializedViews(String mapping, String database) {
            return null;
        }

        /** The last sync-large-objects of the database, or null. */
        default dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport largeObjects(String mapping,
                String database) {
            return null;
        }

        default Verifier.VerifyReport verification(String mapping, String database) {
            return null;
        }

        /** The database's schema changes as last classified, with their history; null when never compared. */
        default ChangeReport schemaChanges(String mapping, String database) {
            return null;
        }

        /** The statements pgferry's DDL capture recorded on the source, newest first; empty without it. */
        default List<DdlCapture.CapturedStatement> capturedStatements(String mapping, String database) {
            return List.of();
        }

        /** The freeze point's LSN and whether the slot has passed it; both null without a point. */
        default DrainState drain(String mapping, ObservedDatabase observed) {
            return DrainState.NONE;
        }

        /** Where each table's rows came from after the database's copy was resumed, by "schema.name". */
        default Map<String, String> copyOrigins(String mapping, String database, ObservedInstance.CopyRecord record) {
            return Map.of();
        }

        /** The snapshot copy of the database in this process, running or last finished. */
        default Optional<SnapshotProgress.State> snapshotCopy(String mapping, String database) {
            return Optional.empty();
        }
    }

    static final Extras NONE = new Extras() {
    };

    static MappingView of(MappingStatus status) {
        return of(status, NONE);
    }

    static MappingView of(MappingStatus status, Extras extras) {
        return of(status, extras, true);
    }

    /** charts: whether to draw each database's lag chart (pages listing many databases draw none). */
    static MappingView of(MappingStatus status, Extras extras, boolean charts) {
        var mapping = status.mapping();
        List<AlertView> alerts = alerts(status);
        return new MappingView(mapping.name(), mapping.source().name(), mapping.destination().name(),
                lower(status.effectiveMode().name()), lower(mapping.mode().name()), lower(mapping.copyMethod().name()),
                status.phase().name(),
                status.cutoverReady(), status.observedAt(),
                status.source() == null ? null : status.source().error(),
                status.destination() == null ? null : status.destination().error(),
                status.databases().stream().map(d -> database(status, d, alerts, extras, charts)).toList(),
                byPhase(status), worstLag(status), alerts, status.lease() != null && status.lease().held(),
                status.passiveReason(), status.lease() == null ? null : status.lease().holder(),
                status.rollbackReady());
    }

    /** The overview's row of a mapping: counts and the worst lag, no per-database views. */
    static MappingSummary summary(MappingStatus status, MappingTrends.Trend trend) {
        var mapping = status.mapping();
        return new MappingSummary(mapping.name(), mapping.source().name(), mapping.destination().name(),
                lower(status.effectiveMode().name()), status.phase().name(), status.cutoverReady(),
                status.source() == null ? null : status.source().error(),
                status.destination() == null ? null : status.destination().error(),
                status.passiveReason(), status.lease() == null ? null : status.lease().holder(),
                byPhase(status), worstLag(status), alerts(status), !status.databases().isEmpty(),
                status.phase() == dev.pgferry.status.Phase.COMPLETE
                        && status.databases().stream().allMatch(d -> d.plan().actions().isEmpty()),
                status.rollbackReady(), trend);
    }

    private static List<AlertView> alerts(MappingStatus status) {
        return status.alerts().stream().map(a -> new AlertView(lower(a.severity().name()), a.kind(), a.mapping(),
                a.database(), a.message(), a.fix())).toList();
    }

    private static Map<String, Long> byPhase(MappingStatus status) {
        Map<String, Long> counts = new LinkedHashMap<>();
        status.databasesByPhase().forEach((phase, n) -> counts.put(phase.name(), n));
        return counts;
    }

    private static Long worstLag(MappingStatus status) {
        return status.databases().stream().flatMap(d -> d.observed().slot().stream())
                .map(ObservedDatabase.Slot::applyLagBytes).max(Long::compare).orElse(null);
    }

    private static final java.util.Set<SnapshotProgress.Stage> PREPARING = java.util.EnumSet.of(
            SnapshotProgress.Stage.QUEUED, SnapshotProgress.Stage.STARTING, SnapshotProgress.Stage.SCHEMA);

    private static DatabaseView database(MappingStatus status, DatabaseStatus d, List<AlertView> alerts,
            Extras extras, boolean charts) {
        Mapping mapping = status.mapping();
        ObservedDatabase o = d.observed();
        var slot = o.slot();
        var subscription = o.subscription();
        boolean sourceSeen = o.sourceError() == null;
        Optional<ExactCount> exact = extras.exactCount(mapping.name(), d.database());
        DrainState drain = extras.drain(mapping.name(), o);
        // per-table figures of the copy once it has planned its tables (or while it prepares); a resume
        // copies nothing itself (its tables come by table synchronization), so it has none
        Optional<SnapshotProgress.State> snapshot = subscription.isEmpty()
                ? extras.snapshotCopy(mapping.name(), d.database()).filter(s -> !s.tables().isEmpty()
                        || PREPARING.contains(s.stage())) : Optional.empty();
        Map<TableName, SnapshotProgress.TableState> snapshotTables = new java.util.HashMap<>();
        snapshot.ifPresent(state -> state.tables().forEach(t -> snapshotTables.put(new TableName(t.schema(), t.name()), t)));
        Optional<ObservedInstance.CopyRecord> resumed = status.destination().copy(mapping.name(), d.database())
                .filter(r -> r.resumedAt() != null);
        Map<String, String> origins = resumed.map(r -> extras.copyOrigins(mapping.name(), d.database(), r))
                .orElse(Map.of());
        List<TableView> tables = o.tables().stream().map(t -> (snapshot.isPresent()
                ? snapshotTable(t, snapshotTables, snapshot.get())
                : table(mapping, d.database(), t, exact, extras)).withRowsFrom(rowsFrom(t, origins))).toList();
        List<TableView> published = tables.stream().filter(TableView::published).toList();
        Long copyTotal = snapshot.map(SnapshotProgress.State::bytesTotal)
                .orElse(subscription.isEmpty() ? null : sum(published, TableView::sourceBytes));
        Long copyDone = snapshot.map(SnapshotProgress.State::bytesDone).orElseGet(() -> subscription.isEmpty() ? null
                : published.stream().mapToLong(MappingViewAssembler::copiedBytes).sum());
        int tablesTotal = snapshot.map(st -> st.tables().size()).orElse(published.size());
        int tablesCopied = snapshot.map(st -> (int) st.tablesCopied()).orElseGet(() -> (int) published.stream()
                .filter(t -> t.syncState() != null && DONE_COPYING.contains(t.syncState())).count());
        return new DatabaseView(d.database(), d.phase().name(), d.plan().reason(), d.cutoverReady(),
                new ReplicationView(slot.map(ObservedDatabase.Slot::applyLagBytes).orElse(null),
                        slot.map(ObservedDatabase.Slot::lagSeconds).orElse(null),
                        slot.map(ObservedDatabase.Slot::retainedBytes).orElse(null),
                        ReplicationNames.of(mapping.name(), d.database()).name(),
                        sourceSeen ? o.publicationExists() : null,
                        slot.map(ObservedDatabase.Slot::active).orElse(null),
                        subscription.map(ObservedDatabase.Subscription::enabled).orElse(null),
                        subscription.map(ObservedDatabase.Subscription::applyErrors).orElse(null),
                        subscription.map(ObservedDatabase.Subscription::syncErrors).orElse(null),
                        subscription.map(ObservedDatabase.Subscription::connectionUpdatedAt).orElse(null)),
                new CopyTotals(tablesTotal, tablesCopied, copyDone, copyTotal, copyTotal == null ? null
                        : copyTotal == 0 ? 100 : (int) Math.min(100, copyDone * 100 / copyTotal),
                        snapshot.map(st -> copyLimit(mapping, st)).orElse(null)),
                new RowTotals(sum(tables, TableView::sourceRows), sum(tables, TableView::destinationRows),
                        sum(tables, TableView::rowDelta)),
                new CutoverReports(extras.fidelity(mapping.name(), d.database()),
                        extras.sequenceSync(mapping.name(), d.database()),
                        extras.materializedViews(mapping.name(), d.database()),
                        extras.verification(mapping.name(), d.database()), drain.freezePoint(), drain.drained(),
                        extras.largeObjects(mapping.name(), d.database())),
                d.lastFailure().map(f -> f.action() + ": " + f.message()).orElse(null),
                d.checks().stream().map(c -> new CheckView(c.id(), lower(c.level().name()), c.message(), c.fix()))
                        .toList(),
                d.plan().blockedBy(),
                d.readiness().conditions().stream().map(c -> new ConditionView(c.id(), c.met(), c.detail())).toList(),
                d.plan().actions().stream().map(Action::describe).toList(),
                tables,
                o.sequences().stream().map(q -> new SequenceView(q.schema(), q.name(), q.sourceValue(),
                        q.destinationValue())).toList(),
                schemas(tables),
                o.columnFacts().map(f -> Compatibility.evaluate(f, mapping.scope())).orElse(List.of()),
                charts ? extras.lagChart(mapping.name(), d.database()) : null,
                exact.map(MappingViewAssembler::exactCount).orElse(null),
                alerts.stream().filter(a -> d.database().equals(a.database())).toList(), status.roleStates(d),
                d.rollbackReady(), reverse(mapping, o, extras.sequencesKeptBack(mapping.name(), d.database())),
                schemaChanges(mapping, extras.schemaChanges(mapping.name(), d.database()),
                        extras.capturedStatements(mapping.name(), d.database())),
                resumed.map(r -> copyResume(r, tables)).orElse(null));
    }

    /**
     * While a snapshot copy reads, how the rate limit shapes its time: the least it can still take
     * at the mapping's COPY_MAX_RATE (null without a limit, or once everything is read).
     */
    static String copyLimit(Mapping mapping, SnapshotProgress.State copy) {
        long rate = mapping.copyLimits().bytesPerSecond();
        long left = copy.bytesTotal() - copy.bytesDone();
        if (rate <= 0 || left <= 0 || !copy.running()) {
            return null;
        }
        Formats formats = new Formats();
        String source = mapping.source().name();
        return "The copy reads at most " + formats.bytes(rate) + "/s from " + source + " (COPY_MAX_RATE, shared by "
                + "every copy reading " + source + "; the strictest of its mappings applies): the "
                + formats.bytes(left) + " left take at least " + formats.duration(Math.max(1, left / rate))
                + " at that rate. COPY_MAX_RATE=0 lifts the limit.";
    }

    /** "Resumed: N of M tables kept, K being copied by table synchronization" (copied, once they are). */
    private static String copyResume(ObservedInstance.CopyRecord r, List<TableView> tables) {
        boolean syncing = tables.stream().anyMatch(t -> t.syncState() != null && !"r".equals(t.syncState()));
        return "Resumed: " + r.kept() + " of " + (r.kept() + r.synced()) + " tables kept, " + r.synced()
                + (syncing ? " being copied" : " copied") + " by table synchronization"
                + (r.restRestored() ? "" : "; the rest of the schema (foreign keys, triggers...) follows once every "
                        + "table is synchronized");
    }

    /** Where a table's rows came from after a resume: a partitioned table's from its partitions'. */
    private static String rowsFrom(ObservedDatabase.Table t, Map<String, String> origins) {
        if (origins.isEmpty()) {
            return null;
        }
        List<String> mine = (t.partitioned() ? t.partitions().stream().map(p -> p.schema() + "." + p.name())
                : java.util.stream.Stream.of(t.schema() + "." + t.name())).map(origins::get).filter(Objects::nonNull)
                .toList();
        return mine.isEmpty() ? null : mine.contains("table-sync") ? "table synchronization, after the resume"
                : "the snapshot copy, kept at the resume";
    }

    private static SchemaChangesView schemaChanges(Mapping mapping, ChangeReport report,
            List<DdlCapture.CapturedStatement> captured) {
        if (report == null && captured.isEmpty()) {
            return null;
        }
        if (report == null) {
            report = new ChangeReport(null, List.of(), null, List.of(), java.util.Map.of());
        }
        ChangeReport shown = report;
        Mapping.SchemaChangePolicy policy = mapping.schemaChanges().policy();
        return new SchemaChangesView(policy.configValue(), report.changes().stream().map(c -> new ChangeView(c.id(),
                lower(c.level().name()), c.automaticUnder(policy) ? "applied by pgferry within a tick or two"
                        : c.confirmableUnder(policy) ? "waits for an operator's confirmation"
                        : c.level() == SchemaChange.Level.MANUAL ? "manual: apply it by hand"
                        : "detect-only: apply it by hand", c.what(), c.object(), c.sql(), c.why(),
                c.confirmableUnder(policy) && !c.automaticUnder(policy),
                shown.failures().containsKey(c.id()) ? shown.failures().get(c.id()).message() : null)).toList(),
                report.applied(), report.error(), captured);
    }

    private static ReverseView reverse(Mapping mapping, ObservedDatabase o, SequenceSync.SequenceReport sequences) {
        return o.reverse().map(r -> new ReverseView(ReplicationNames.reverse(mapping.name(), o.database()).name(),
                r.slot().map(ObservedDatabase.Slot::applyLagBytes).orElse(null),
                r.slot().map(ObservedDatabase.Slot::retainedBytes).orElse(null),
                r.slot().map(ObservedDatabase.Slot::active).orElse(null),
                r.subscription().map(ObservedDatabase.Subscription::enabled).orElse(null),
                r.subscription().map(ObservedDatabase.Subscription::applyWorkerRunning).orElse(null),
                r.subscription().map(ObservedDatabase.Subscription::applyErrors).orElse(null), sequences))
                .orElse(null);
    }

    private static List<SchemaView> schemas(List<TableView> tables) {
        Map<String, List<TableView>> bySchema = new LinkedHashMap<>();
        tables.forEach(t -> bySchema.computeIfAbsent(t.schema(), k -> new ArrayList<>()).add(t));
        return bySchema.entrySet().stream().map(e -> new SchemaView(e.getKey(), e.getValue().size(),
                sum(e.getValue(), TableView::sourceBytes), sum(e.getValue(), TableView::sourceRows),
                sum(e.getValue(), TableView::destinationRows), sum(e.getValue(), TableView::rowDelta))).toList();
    }

    /** The sum of the known values, or null when none is known. */
    private static Long sum(List<TableView> tables, Function<TableView, Long> value) {
        List<Long> known = tables.stream().map(value).filter(Objects::nonNull).toList();
        return known.isEmpty() ? null : known.stream().mapToLong(Long::longValue).sum();
    }

    /** What the initial copy has moved of a table: all of it once copied, the progress while copying. */
    private static long copiedBytes(TableView t) {
        return copiedBytes(t.sourceBytes(), t.syncState(), t.copyBytesDone());
    }

    /**
     * The bytes a published table has copied by table synchronization: all of them once its copy is
     * done (f, s, r), else what the copy reported, at most its size. Shared with {@link MappingTrends}.
     */
    static long copiedBytes(Long sourceBytes, String syncState, Long copyBytesDone) {
        long size = sourceBytes == null ? 0 : sourceBytes;
        // a published table the subscription does not have yet (a resume adds it a moment later) has no state
        if (syncState != null && DONE_COPYING.contains(syncState)) {
            return size;
        }
        return copyBytesDone == null ? 0 : Math.min(size, copyBytesDone);
    }

    private static ExactCountView exactCount(ExactCount c) {
        String state = c.error() != null ? "failed" : c.startedAt() == null ? "queued" : c.running() ? "running"
                : "done";
        return new ExactCountView(state, c.requestedBy(), c.requestedAt(), c.startedAt(), c.finishedAt(),
                c.tables().size(), c.tablesTotal(), c.error());
    }

    private static TableView table(Mapping mapping, String database, ObservedDatabase.Table t,
            Optional<ExactCount> exact, Extras extras) {
        Long delta = t.sourceRows() == null || t.destinationRows() == null ? null
                : t.sourceRows() - t.destinationRows();
        Double rate = t.copy().isEmpty() ? null : extras.copyRate(mapping.name(), database, t.schema(), t.name());
        Long secondsLeft = rate == null || rate <= 0 || t.sourceBytes() == null ? null
                : (long) Math.ceil(Math.max(0, t.sourceBytes() - t.copy().get().bytesDone()) / rate);
        ExactCount.TableCount counted = exact.map(c -> c.table(t.schema(), t.name())).orElse(null);
        return new TableView(t.schema(), t.name(), t.partitioned(), t.published(), t.syncState(),
                !t.published() ? "not published" : t.syncState() == null ? "not subscribed"
                        : SYNC_STATES.getOrDefault(t.syncState(), t.syncState()),
                t.sourceRows(), t.destinationRows(), delta, t.partitions().stream().map(p -> new PartitionView(
                        p.schema(), p.name(), p.sourceRows(), p.destinationRows())).toList(), t.sourceBytes(),
                t.copy().map(ObservedDatabase.TableSyncProgress::bytesDone).orElse(null),
                t.copy().map(ObservedDatabase.TableSyncProgress::rowsDone).orElse(null),
                t.copy().map(c -> percent(c.bytesDone(), t.sourceBytes())).orElse(null),
                rate == null ? null : Math.round(rate), secondsLeft,
                counted == null ? null : counted.sourceRows(), counted == null ? null : counted.destinationRows(),
                counted == null ? null : counted.delta(), counted == null ? null : counted.countedAt(), null);
    }

    /**
     * A table while the snapshot copy runs: its figures (a partitioned table's summed over its
     * partitions) and a state label from the copy; rates from the copy's start.
     */
    private static TableView snapshotTable(ObservedDatabase.Table t, Map<TableName, SnapshotProgress.TableState> copied,
            SnapshotProgress.State state) {
        List<SnapshotProgress.TableState> parts = t.partitioned()
                ? t.partitions().stream().map(p -> copied.get(new TableName(p.schema(), p.name()))).filter(Objects::nonNull)
                        .toList()
                : java.util.stream.Stream.ofNullable(copied.get(new TableName(t.schema(), t.name()))).toList();
        Long delta = t.sourceRows() == null || t.destinationRows() == null ? null
                : t.sourceRows() - t.destinationRows();
        long bytesTotal = parts.stream().mapToLong(SnapshotProgress.TableState::bytesTotal).sum();
        long bytesDone = parts.stream().mapToLong(SnapshotProgress.TableState::bytesDone).sum();
        long rowsDone = parts.stream().mapToLong(SnapshotProgress.TableState::rowsDone).sum();
        boolean allCopied = !parts.isEmpty() && parts.stream().allMatch(SnapshotProgress.TableState::copied);
        boolean allIndexed = allCopied && parts.stream().allMatch(SnapshotProgress.TableState::indexed);
        String label = !t.published() ? "not published" : parts.isEmpty() ? "snapshot copy: waiting"
                : allIndexed ? "snapshot copy: copied and indexed" : allCopied ? "snapshot copy: copied, indexing"
                : bytesDone > 0 ? "snapshot copy: copying" : "snapshot copy: waiting";
        long seconds = Math.max(1, java.time.Duration.between(state.startedAt(), state.finishedAt() != null
                ? state.finishedAt() : java.time.Instant.now()).toSeconds());
        Long rate = bytesDone == 0 || allCopied ? null : bytesDone / seconds;
        Long secondsLeft = rate == null || rate == 0 ? null : Math.max(0, bytesTotal - bytesDone) / rate;
        return new TableView(t.schema(), t.name(), t.partitioned(), t.published(), t.syncState(), label,
                t.sourceRows(), t.destinationRows(), delta, t.partitions().stream().map(p -> new PartitionView(
                        p.schema(), p.name(), p.sourceRows(), p.destinationRows())).toList(), t.sourceBytes(),
                parts.isEmpty() ? null : bytesDone, parts.isEmpty() ? null : rowsDone,
                parts.isEmpty() ? null : allCopied ? Integer.valueOf(100) : percent(bytesDone, bytesTotal), rate,
                secondsLeft,
                null, null, null, null, null);
    }

    /** Bytes copied against the source's size: an estimate (the copy's text can be larger). */
    private static Integer percent(long done, Long total) {
        if (total == null || total <= 0) {
            return null;
        }
        return (int) Math.min(99, done * 100 / total);
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
