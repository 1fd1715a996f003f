package dev.pgferry.schemachange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Table;
import dev.pgferry.monitor.SourceFacts;
import dev.pgferry.replication.PublishedTable;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the planner is told about a streaming database's schema changes (SchemaChanges.outlook). */
class SchemaChangesTest {

    private static final Instance SRC = new Instance("src", "h", 5432, "u", Secret.of("x"), "prefer", "postgres");
    private static final Instance DST = new Instance("dst", "h", 5433, "u", Secret.of("x"), "prefer", "postgres");
    private static final Mapping MAPPING = new Mapping("m", SRC, DST, List.of("shop"), Mode.RUN, CopyMethod.SNAPSHOT);

    private Instant now = Instant.parse("2026-12-02T10:00:00Z");
    private final SchemaChanges changes = new SchemaChanges(null, null, null, null, new Clock() {
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now;
        }
    });

    private static SourceFacts.Relation relation(String name, boolean hasKey) {
        return new SourceFacts.Relation("public", name, false, false, "public", name, false, hasKey, true, true);
    }

    /** Streaming: orders published; coupons on both sides, keyed, not published; log without key; late not on the destination. */
    private static ObservedDatabase streaming(boolean workerRunning, long applyErrors) {
        SourceFacts facts = new SourceFacts(List.of(relation("orders", true), relation("coupons", true),
                relation("log", false), relation("late", true)), 0, Set.of(), List.of(), true, Set.of(), Boolean.FALSE);
        return new ObservedDatabase("shop", Instant.now(), null, null, true, true, 4, true,
                Optional.of(new ObservedDatabase.Slot(true, "reserved", 0, 0)),
                Optional.of(new ObservedDatabase.Subscription(1, true, workerRunning, applyErrors, 0)),
                List.of(new Table("public", "orders", false, true, "r", 10L, 10L),
                        new Table("public", "coupons", false, false, null, 5L, 0L),
                        new Table("public", "log", false, false, null, 5L, 0L),
                        new Table("public", "late", false, false, null, 5L, null)), false, Optional.of(facts));
    }

    @Test
    void aKeyedTableBothSidesHaveThatThePublicationMissesIsPublishedAndAFailureWaits() {
        SchemaOutlook outlook = changes.outlook(MAPPING, streaming(true, 0));
        assertThat(outlook.unpublished()).containsExactly(new PublishedTable("public", "coupons"));
        assertThat(outlook.anythingDue()).isTrue();

        changes.failed("m", "shop", SchemaChanges.PUBLICATION, "not added: it has rows on the destination already");
        assertThat(changes.outlook(MAPPING, streaming(true, 0)).unpublished()).as("waits after a failure").isEmpty();
        now = now.plus(SchemaChanges.FIRST_RETRY);
        assertThat(changes.outlook(MAPPING, streaming(true, 0)).unpublished()).containsExactly(
                new PublishedTable("public", "coupons"));

        Mapping detectOnly = MAPPING.withSchemaChanges(new Mapping.SchemaChanges(Mapping.SchemaChangePolicy.DETECT_ONLY,
                false));
        assertThat(changes.outlook(detectOnly, streaming(true, 0)).anythingDue()).isFalse();
    }

    @Test
    void theStoppedApplyWorkerWaitsForTheMissingColumnOnlyWhileItFails() {
        SchemaChange column = new SchemaChange("aaaaaaaaaaaa", SchemaChange.Level.SAFE, "column added",
                "public.orders.note", List.of(new SchemaChange.Statement(50, "ALTER TABLE public.orders ADD COLUMN note "
                        + "text")), List.of(), false, "additive", List.of("column public.orders.note"));
        changes.applied("m", "shop", new ChangeReport.Applied(now, "pgferry", "x", "index added", "i", "CREATE INDEX"));
        changesWith(column);
        assertThat(changes.outlook(MAPPING, streaming(true, 3)).waitingFor()).as("the first look sets the count")
                .isNull();
        assertThat(changes.outlook(MAPPING, streaming(true, 4)).waitingFor())
                .isEqualTo("column added public.orders.note (pgferry applies it)");
        assertThat(changes.outlook(MAPPING, streaming(true, 4)).due()).containsExactly(column);
        now = now.plusSeconds(61);
        assertThat(changes.outlook(MAPPING, streaming(true, 4)).waitingFor()).as("no new error for a minute").isNull();
        assertThat(changes.outlook(MAPPING, streaming(false, 4)).waitingFor()).as("the worker is down")
                .startsWith("column added");
    }

    private void changesWith(SchemaChange change) {
        // the classification as the comparison beside the loop keeps it
        changes.keep("m", "shop", List.of(change), null);
    }
}
