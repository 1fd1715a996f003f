package dev.pgferry.web;

import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.preflight.Compatibility;
import java.util.List;
import dev.pgferry.reconcile.Action;
import dev.pgferry.reconcile.DatabaseStatus;
import dev.pgferry.reconcile.MappingStatus;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.web.MappingView.CheckView;
import dev.pgferry.web.MappingView.ConditionView;
import dev.pgferry.web.MappingView.DatabaseView;
import dev.pgferry.web.MappingView.PartitionView;
import dev.pgferry.web.MappingView.SequenceView;
import dev.pgferry.web.MappingView.TableView;
import java.util.Locale;
import java.util.Map;

/** Turns the last observed status into the views that pages and the API share. */
final class MappingViews {

    private static final Map<String, String> SYNC_STATES = Map.of("i", "initializing", "d", "copying data",
            "f", "copy finished", "s", "synchronized", "r", "ready");

    private MappingViews() {
    }

    /** What the views show beside the status: last fidelity reports and lag charts. */
    interface Extras {
        FidelityReport fidelity(String mapping, String database);

        LagChart lagChart(String mapping, String database);
    }

    static final Extras NONE = new Extras() {
        public FidelityReport fidelity(String mapping, String database) {
            return null;
        }

        public LagChart lagChart(String mapping, String database) {
            return null;
        }
    };

    static MappingView of(MappingStatus status) {
        return of(status, NONE);
    }

    static MappingView of(MappingStatus status, Extras extras) {
        var mapping = status.mapping();
        return new MappingView(mapping.name(), mapping.source().name(), mapping.destination().name(),
                lower(status.effectiveMode().name()), lower(mapping.mode().name()), lower(mapping.copyMethod().name()),
                status.phase().name(),
                status.cutoverReady(), status.observedAt(),
                status.source() == null ? null : status.source().error(),
                status.destination() == null ? null : status.destination().error(),
                status.databases().stream().map(d -> database(mapping, d, extras)).toList());
    }

    private static DatabaseView database(Mapping mapping, DatabaseStatus d, Extras extras) {
        ObservedDatabase o = d.observed();
        var slot = o.slot();
        var subscription = o.subscription();
        boolean sourceSeen = o.sourceError() == null;
        return new DatabaseView(d.database(), d.phase().name(), d.plan().reason(), d.cutoverReady(),
                slot.map(ObservedDatabase.Slot::applyLagBytes).orElse(null),
                slot.map(ObservedDatabase.Slot::lagSeconds).orElse(null),
                slot.map(ObservedDatabase.Slot::retainedBytes).orElse(null),
                ReplicationNames.of(mapping.name(), d.database()).name(),
                sourceSeen ? o.publicationExists() : null,
                slot.map(ObservedDatabase.Slot::active).orElse(null),
                subscription.map(ObservedDatabase.Subscription::enabled).orElse(null),
                subscription.map(ObservedDatabase.Subscription::applyErrors).orElse(null),
                subscription.map(ObservedDatabase.Subscription::syncErrors).orElse(null),
                d.lastFailure().map(f -> f.action() + ": " + f.message()).orElse(null),
                d.checks().stream().map(c -> new CheckView(c.id(), lower(c.level().name()), c.message(), c.fix()))
                        .toList(),
                d.plan().blockedBy(),
                d.readiness().conditions().stream().map(c -> new ConditionView(c.id(), c.met(), c.detail())).toList(),
                d.plan().actions().stream().map(Action::describe).toList(),
                o.tables().stream().map(MappingViews::table).toList(),
                o.sequences().stream().map(q -> new SequenceView(q.schema(), q.name(), q.sourceValue(),
                        q.destinationValue())).toList(),
                extras.fidelity(mapping.name(), d.database()),
                o.columnFacts().map(f -> Compatibility.evaluate(f, mapping.scope())).orElse(List.of()),
                extras.lagChart(mapping.name(), d.database()));
    }

    private static TableView table(ObservedDatabase.Table t) {
        Long delta = t.sourceRows() == null || t.destinationRows() == null ? null
                : t.sourceRows() - t.destinationRows();
        return new TableView(t.schema(), t.name(), t.partitioned(), t.published(), t.syncState(),
                !t.published() ? "not published" : t.syncState() == null ? "not subscribed"
                        : SYNC_STATES.getOrDefault(t.syncState(), t.syncState()),
                t.sourceRows(), t.destinationRows(), delta, t.partitions().stream().map(p -> new PartitionView(
                        p.schema(), p.name(), p.sourceRows(), p.destinationRows())).toList(), t.sourceBytes(),
                t.copy().map(ObservedDatabase.CopyProgress::bytesDone).orElse(null),
                t.copy().map(ObservedDatabase.CopyProgress::rowsDone).orElse(null),
                t.copy().map(c -> percent(c.bytesDone(), t.sourceBytes())).orElse(null));
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
