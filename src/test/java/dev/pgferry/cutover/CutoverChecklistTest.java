package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.cutover.CutoverChecklist.DatabaseFacts;
import dev.pgferry.cutover.CutoverChecklist.Facts;
import dev.pgferry.cutover.CutoverView.Step;
import dev.pgferry.cutover.CutoverView.StepState;
import dev.pgferry.cutover.MaterializedViews.RefreshReport;
import dev.pgferry.cutover.MaterializedViews.ViewRefresh;
import dev.pgferry.cutover.SequenceSync.SequenceChange;
import dev.pgferry.cutover.SequenceSync.SequenceReport;
import dev.pgferry.cutover.Verifier.TableVerification;
import dev.pgferry.cutover.Verifier.VerifyReport;
import dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Readiness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The cutover checklist decided from typed status, one step at a time (no server, no page). */
class CutoverChecklistTest {

    private static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("pw"), "prefer",
            "postgres");
    private static final Instance DST = new Instance("new", "fd00::2", 5433, "u", Secret.of("pw"), "prefer",
            "postgres");
    private static final Instant FROZEN_AT = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant BEFORE = FROZEN_AT.minusSeconds(60);
    private static final Instant AFTER = FROZEN_AT.plusSeconds(60);

    /** A mapping of two databases and what is known of each: every step's input, changed one at a time. */
    private Phase phase = Phase.STREAMING;
    private Mode mode = Mode.RUN;
    private boolean allowFreeze = true;
    private boolean frozen;
    private List<dev.pgferry.audit.AuditRecord> records = List.of();
    private boolean outlookRead = true;
    private boolean allowReverse;
    private boolean rollbackLight;
    private Optional<dev.pgferry.monitor.SourceFacts> sourceFacts = Optional.empty();
    private UnaryOperator<DatabaseFacts> shop = UnaryOperator.identity();
    private UnaryOperator<DatabaseFacts> ledger = UnaryOperator.identity();

    @Test
    void readyWaitsNamingTheFirstDatabaseNotReadyAndIsDoneWhenAllAreOrTheMappingIsComplete() {
        Step ready = step("ready");
        assertThat(ready.state()).isEqualTo(StepState.WAITING);
        assertThat(ready.detail()).isEqualTo("shop is STREAMING: catching up");
        phase = Phase.READY;
        assertThat(step("ready").state()).isEqualTo(StepState.DONE);
        assertThat(step("ready").detail()).isEqualTo("every database is cutover-ready");
        phase = Phase.COMPLETE;
        assertThat(step("ready").state()).isEqualTo(StepState.DONE);
        assertThat(step("ready").detail()).isEqualTo("the mapping is complete");
    }

    @Test
    void fidelityIsDoneOnlyWhenEveryDatabaseWasFoundIdentical() {
        assertThat(step("fidelity").state()).isEqualTo(StepState.TODO);
        shop = d -> with(d, identical());
        assertThat(step("fidelity").state()).isEqualTo(StepState.TODO);
        ledger = d -> with(d, new FidelityReport("ledger", AFTER, 3, 2, List.of(new FidelityReport.Difference(
                "table", "public.t", "x", null)), List.of(), null));
        assertThat(step("fidelity").state()).isEqualTo(StepState.TODO);
        ledger = d -> with(d, identical());
        assertThat(step("fidelity").state()).isEqualTo(StepState.DONE);
        assertThat(step("fidelity").actionEnabled()).isTrue();
    }

    @Test
    void freezeIsManualWhenNotAllowedToDoWhenAllowedAndDoneOnceFrozen() {
        allowFreeze = false;
        Step freeze = step("freeze");
        assertThat(freeze.state()).isEqualTo(StepState.MANUAL);
        assertThat(freeze.detail()).contains("PGFERRY_MAPPINGS_SHOP_ALLOW_FREEZE=true turns it on");
        assertThat(freeze.actionEnabled()).isFalse();
        assertThat(freeze.commands()).contains("ALTER ROLE \"app\" NOLOGIN;");

        allowFreeze = true;
        assertThat(step("freeze").state()).isEqualTo(StepState.TODO);
        assertThat(step("freeze").actionEnabled()).isTrue();
        assertThat(step("freeze").notes()).anyMatch(n -> n.startsWith("roles to set NOLOGIN: app ("));
        mode = Mode.PLAN;
        assertThat(step("freeze").actionEnabled()).as("not in plan mode").isFalse();

        mode = Mode.RUN;
        frozen = true;
        Step done = step("freeze");
        assertThat(done.state()).isEqualTo(StepState.DONE);
        assertThat(done.detail()).isEqualTo("frozen by ops at 2026-12-01 10:00:00 UTC");
        assertThat(done.actionEnabled()).isFalse();
        assertThat(done.rollback()).contains("ALTER ROLE \"app\" LOGIN;");
    }

    @Test
    void freezeSaysWhenWhatItWouldChangeWasNotReadYet() {
        outlookRead = false;
        Step freeze = step("freeze");
        assertThat(freeze.notes()).contains("what a freeze would change is read from the source after the next tick");
        assertThat(freeze.commands()).isEmpty();
        assertThat(checklist().freeze().readAt()).isNull();
    }

    @Test
    void drainRunsUntilEveryDatabaseHasPassedItsFreezePoint() {
        assertThat(step("drain").state()).isEqualTo(StepState.TODO);
        shop = d -> drained(d, true);
        ledger = d -> drained(d, false);
        Step draining = step("drain");
        assertThat(draining.state()).isEqualTo(StepState.RUNNING);
        assertThat(draining.detail()).endsWith("1 of 2 database(s) drained");
        assertThat(draining.notes()).containsExactly("shop: freeze point 0/3000060, drained",
                "ledger: freeze point 0/3000060, draining");
        ledger = d -> drained(d, true);
        assertThat(step("drain").state()).isEqualTo(StepState.DONE);
    }

    @Test
    void sequencesCountOnlyWhenSetAfterTheFreezeWithoutError() {
        frozen = true;
        shop = d -> with(d, sequences("shop", AFTER, null));
        ledger = d -> with(d, sequences("ledger", BEFORE, null));
        Step step = step("sync-sequences");
        assertThat(step.state()).as("ledger's were set before the freeze").isEqualTo(StepState.TODO);
        assertThat(step.notes()).containsExactly("shop: 1 sequence(s) set", "ledger: 1 sequence(s) set");
        ledger = d -> with(d, sequences("ledger", AFTER, "permission denied"));
        assertThat(step("sync-sequences").state()).isEqualTo(StepState.TODO);
        assertThat(step("sync-sequences").notes()).contains("ledger: 1 sequence(s) set, failed: permission denied");
        ledger = d -> with(d, sequences("ledger", AFTER, null));
        assertThat(step("sync-sequences").state()).isEqualTo(StepState.DONE);
        mode = Mode.PLAN;
        assertThat(step("sync-sequences").actionEnabled()).isFalse();
    }

    @Test
    void materializedViewsAreDoneWhenEveryViewRefreshedAfterTheFreeze() {
        frozen = true;
        shop = d -> with(d, views("shop", 0));
        ledger = d -> with(d, views("ledger", 1));
        assertThat(step("refresh-matviews").state()).isEqualTo(StepState.TODO);
        assertThat(step("refresh-matviews").notes()).contains("ledger: 1 view(s), 1 failed");
        ledger = d -> with(d, views("ledger", 0));
        assertThat(step("refresh-matviews").state()).isEqualTo(StepState.DONE);
    }

    @Test
    void verifyRunsFailsOrIsDoneWhenEveryDatabaseIsEqualAfterTheFreeze() {
        frozen = true;
        shop = d -> with(d, verification("shop", AFTER, null, 10));
        assertThat(step("verify").state()).as("running").isEqualTo(StepState.RUNNING);
        assertThat(step("verify").actionEnabled()).isFalse();
        assertThat(step("verify").notes()).containsExactly("shop: verifying 0/1 tables");
        shop = d -> with(d, verification("shop", AFTER, AFTER, 9));
        assertThat(step("verify").state()).isEqualTo(StepState.FAILED);
        assertThat(step("verify").notes().getFirst()).startsWith("shop: 1 table(s) differ;");
        shop = d -> with(d, verification("shop", AFTER, AFTER, 10));
        ledger = d -> with(d, verification("ledger", BEFORE, BEFORE, 10));
        assertThat(step("verify").state()).as("ledger verified before the freeze").isEqualTo(StepState.TODO);
        ledger = d -> with(d, verification("ledger", AFTER, AFTER, 10));
        assertThat(step("verify").state()).isEqualTo(StepState.DONE);
    }

    @Test
    void switchIsTheOperatorsAndNamesTheRolesThatNeedAPassword() {
        assertThat(step("switch").state()).isEqualTo(StepState.MANUAL);
        assertThat(step("switch").notes()).isEmpty();
        shop = d -> needsPassword(d, "zed", "app");
        ledger = d -> needsPassword(d, "app");
        assertThat(step("switch").notes()).containsExactly("set a password on the destination for: app, zed");
        assertThat(step("switch").action()).isNull();
        phase = Phase.COMPLETE;
        assertThat(step("switch").state()).as("the operator's: pgferry cannot see it").isEqualTo(StepState.MANUAL);
        assertThat(step("switch").detail()).startsWith("by the operator");
    }

    @Test
    void completeWaitsForTheGreenLightAndIsDoneOnceComplete() {
        assertThat(step("complete").state()).isEqualTo(StepState.WAITING);
        assertThat(step("complete").actionEnabled()).isFalse();
        phase = Phase.READY;
        assertThat(step("complete").state()).isEqualTo(StepState.TODO);
        assertThat(step("complete").actionEnabled()).isTrue();
        phase = Phase.COMPLETE;
        assertThat(step("complete").state()).isEqualTo(StepState.DONE);
        assertThat(step("complete").actionEnabled()).isFalse();
    }

    @Test
    void largeObjectsAreDoneOnceCopiedAfterTheFreezeInEveryDatabase() {
        frozen = true;
        assertThat(step("sync-large-objects").state()).isEqualTo(StepState.TODO);
        assertThat(step("sync-large-objects").actionEnabled()).isTrue();
        shop = d -> with(d, largeObjects("shop", AFTER, null));
        ledger = d -> with(d, largeObjects("ledger", BEFORE, null));
        Step step = step("sync-large-objects");
        assertThat(step.state()).as("ledger's ran before the freeze").isEqualTo(StepState.TODO);
        assertThat(step.notes()).containsExactly("shop: 2 copied, 1 removed, 5 unchanged",
                "ledger: 2 copied, 1 removed, 5 unchanged");
        ledger = d -> with(d, largeObjects("ledger", AFTER, "permission denied for large object 16390"));
        assertThat(step("sync-large-objects").state()).isEqualTo(StepState.TODO);
        assertThat(step("sync-large-objects").notes()).contains("ledger: failed: permission denied for large object "
                + "16390");
        ledger = d -> with(d, largeObjects("ledger", AFTER, null));
        assertThat(step("sync-large-objects").state()).isEqualTo(StepState.DONE);
    }

    @Test
    void largeObjectsAreNothingToDoWhereTheSourcesHaveNoneEvenOnceComplete() {
        sourceFacts = Optional.of(new dev.pgferry.monitor.SourceFacts(List.of(), 0, Set.of(), List.of(), true,
                Set.of(), null));
        assertThat(step("sync-large-objects").state()).isEqualTo(StepState.DONE);
        assertThat(step("sync-large-objects").detail()).startsWith("no large objects on the source");
        phase = Phase.COMPLETE;
        assertThat(step("sync-large-objects").state()).as("no record needed").isEqualTo(StepState.DONE);
        sourceFacts = Optional.of(new dev.pgferry.monitor.SourceFacts(List.of(), 3, Set.of(), List.of(), true,
                Set.of(), null));
        assertThat(step("sync-large-objects").state()).as("complete, some, never run").isEqualTo(
                StepState.NOT_RECORDED);
    }

    @Test
    void unfreezeIsListedOnlyWhileFrozenWithTheRecordedRestores() {
        assertThat(checklist().steps()).extracting(Step::id).containsExactly("ready", "fidelity", "freeze", "drain",
                "sync-sequences", "sync-large-objects", "refresh-matviews", "verify", "reverse", "switch", "rollback",
                "complete");
        frozen = true;
        phase = Phase.COMPLETE;
        Step unfreeze = step("unfreeze");
        assertThat(unfreeze.state()).isEqualTo(StepState.TODO);
        assertThat(unfreeze.actionEnabled()).isTrue();
        assertThat(unfreeze.notes()).containsExactly("role app set NOLOGIN (was LOGIN)");
        assertThat(unfreeze.commands()).containsExactly("ALTER ROLE \"app\" LOGIN;");
    }

    @Test
    void turningAroundIsOffUnlessAllowedAndWaitsForTheFreezeTheDrainAndAVerification() {
        Step off = step("reverse");
        assertThat(off.state()).isEqualTo(StepState.MANUAL);
        assertThat(off.detail()).contains("PGFERRY_MAPPINGS_SHOP_ALLOW_REVERSE=true");
        assertThat(off.actionEnabled()).isFalse();
        allowReverse = true;
        assertThat(step("reverse").state()).isEqualTo(StepState.WAITING);
        assertThat(step("reverse").actionEnabled()).as("not frozen").isFalse();
        frozen = true;
        shop = d -> with(drained(d, true), verification("shop", AFTER, AFTER, 10));
        ledger = d -> with(drained(d, true), verification("ledger", AFTER, AFTER, 10));
        assertThat(step("reverse").state()).isEqualTo(StepState.TODO);
        assertThat(step("reverse").actionEnabled()).isTrue();
        assertThat(step("rollback").state()).as("only once turned around").isEqualTo(StepState.WAITING);
        assertThat(step("rollback").actionEnabled()).isFalse();
    }

    @Test
    void turnedAroundTheRollbackWaitsForItsLightAndCompleteIsOpen() {
        allowReverse = true;
        frozen = true;
        phase = Phase.SWITCHED;
        assertThat(step("reverse").state()).isEqualTo(StepState.DONE);
        assertThat(step("reverse").actionEnabled()).isFalse();
        assertThat(step("rollback").state()).isEqualTo(StepState.WAITING);
        assertThat(step("rollback").actionEnabled()).as("forced with a second confirmation").isTrue();
        assertThat(step("complete").state()).isEqualTo(StepState.TODO);
        assertThat(step("complete").actionEnabled()).isTrue();
        rollbackLight = true;
        assertThat(step("rollback").state()).isEqualTo(StepState.TODO);
        assertThat(checklist().rollbackReady()).isTrue();
        phase = Phase.ROLLED_BACK;
        Step done = step("rollback");
        assertThat(done.state()).isEqualTo(StepState.DONE);
        assertThat(done.action()).isEqualTo("unfreeze-destination");
        assertThat(done.notes()).hasSize(2);
    }

    @Test
    void connectionsChangeHostPortAndDatabaseWithEveryDatabaseNameEncoded() {
        CutoverView view = checklist();
        assertThat(view.connections()).extracting(CutoverView.ConnectionChange::to)
                .containsExactly("postgresql://[fd00::2]:5433/shop", "postgresql://[fd00::2]:5433/ledger");
        assertThat(view.connections().getFirst().fromJdbc()).isEqualTo("jdbc:postgresql://10.0.0.1:5432/shop");
        assertThat(view.phase()).isEqualTo("STREAMING");
        assertThat(StepState.MANUAL.toString()).isEqualTo("manual");
    }

    private Step step(String id) {
        return checklist().steps().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private CutoverView checklist() {
        Mapping mapping = new Mapping("shop", SRC, DST, List.of("shop", "ledger"), Mode.PLAN, CopyMethod.NATIVE,
                Mapping.TablesWithoutKey.BLOCK, Mapping.RoleConflict.MERGE, Mapping.Content.SCHEMA_AND_DATA,
                dev.pgferry.config.Scope.ALL, allowFreeze, Mapping.CopyLimits.DEFAULT, List.of(),
                Mapping.FreezeRoles.NONE, allowReverse);
        Set<String> started = mode == Mode.RUN ? Set.of("shop") : Set.of();
        ObservedInstance source = new ObservedInstance("old", null, null, Map.of(), Set.of(), Set.of());
        ObservedInstance destination = new ObservedInstance("new", null, null, Map.of(), Set.of(), started);
        List<DatabaseStatus> statuses = List.of(database("shop"), database("ledger"));
        MappingStatus status = new MappingStatus(mapping, source, destination, statuses, AFTER);
        FreezePlan plan = FreezePlan.of(List.of("shop", "ledger"), List.of(new FreezePlan.RoleFacts("app", true,
                false, false, false, 1, List.of())), List.of(), List.of(), Mapping.FreezeRoles.NONE, Map.of());
        Freeze.FreezeState state = new Freeze.FreezeState(frozen ? List.of(new FreezeLedger.Entry(
                FreezeChange.roleLogin("app"), FROZEN_AT, "ops")) : List.of());
        FreezeOutlook outlook = outlookRead ? new FreezeOutlook(allowFreeze, FreezeOutlook.allowVariable(mapping),
                state, frozen ? null : plan, null, AFTER) : FreezeOutlook.notReadYet(mapping);
        List<DatabaseFacts> facts = new ArrayList<>();
        facts.add(shop.apply(nothingYet(statuses.get(0))));
        facts.add(ledger.apply(nothingYet(statuses.get(1))));
        return CutoverChecklist.of(new Facts(status, outlook, facts, records));
    }

    private DatabaseStatus database(String name) {
        ObservedDatabase observed = new ObservedDatabase(name, AFTER, null, null, true, true, 1, true,
                Optional.empty(), Optional.empty(), List.of(), phase == Phase.COMPLETE, sourceFacts);
        boolean light = phase == Phase.READY || phase == Phase.SWITCHED && rollbackLight;
        return new DatabaseStatus(observed, List.of(), new Readiness(light, List.of(new Readiness.Condition(
                "reverse-lag", light, light ? "caught up" : "the source is 9000 bytes behind"))),
                new Plan(phase, phase == Phase.STREAMING ? "catching up" : phase.name().toLowerCase(), List.of()),
                Optional.empty());
    }

    private static DatabaseFacts nothingYet(DatabaseStatus status) {
        return new DatabaseFacts(status, null, null, null, null, null, null, List.of());
    }

    private static FidelityReport identical() {
        return new FidelityReport("db", AFTER, 3, 3, List.of(), List.of(), null);
    }

    private static DatabaseFacts with(DatabaseFacts d, Object report) {
        return new DatabaseFacts(d.status(), report instanceof FidelityReport f ? f : d.fidelity(), d.freezePoint(),
                d.drained(), report instanceof SequenceReport s ? s : d.sequences(),
                report instanceof RefreshReport r ? r : d.views(),
                report instanceof VerifyReport v ? v : d.verification(), d.rolesNeedingPassword(),
                report instanceof LargeObjectReport l ? l : d.largeObjects());
    }

    private static LargeObjectReport largeObjects(String database, Instant at, String error) {
        return new LargeObjectReport(database, at, "ops", error != null ? null
                : new dev.pgferry.largeobjects.LargeObjectSync.Outcome(8, 2, 1, 1, 5, 4096), 30, error);
    }

    private static DatabaseFacts drained(DatabaseFacts d, boolean drained) {
        return new DatabaseFacts(d.status(), d.fidelity(), new Drain.FreezePoint(d.name(), 50_331_744, "0/3000060",
                AFTER, "ops"), drained, d.sequences(), d.views(), d.verification(), d.rolesNeedingPassword());
    }

    private static DatabaseFacts needsPassword(DatabaseFacts d, String... roles) {
        return new DatabaseFacts(d.status(), d.fidelity(), d.freezePoint(), d.drained(), d.sequences(), d.views(),
                d.verification(), List.of(roles));
    }

    private static SequenceReport sequences(String database, Instant at, String error) {
        return new SequenceReport(database, at, 0, "ops", List.of(new SequenceChange("public", "s", 10L, 1L, 10L,
                null)), error);
    }

    private static RefreshReport views(String database, int failed) {
        List<ViewRefresh> refreshed = new ArrayList<>();
        refreshed.add(new ViewRefresh("public", "v", failed == 0, 5, failed == 0 ? null : "out of memory"));
        return new RefreshReport(database, AFTER, "ops", refreshed, null);
    }

    private static VerifyReport verification(String database, Instant requested, Instant finished,
            long destinationRows) {
        return new VerifyReport(database, "ops", requested, finished, 1, finished == null ? List.of()
                : List.of(new TableVerification("public", "t", 10, destinationRows, 1, null)), null);
    }

    @Test
    void onceCompleteAStepIsDoneOnlyWithItsRecordAndTheSummarySaysWhoDidWhatWhen() {
        phase = Phase.COMPLETE;
        // no record: pgferry froze, drained, verified nothing for this mapping
        assertThat(step("freeze").state()).isEqualTo(StepState.NOT_RECORDED);
        assertThat(step("freeze").detail()).startsWith("pgferry froze nothing for this mapping");
        assertThat(step("drain").state()).isEqualTo(StepState.NOT_RECORDED);
        assertThat(step("sync-sequences").state()).as("never run: not 'todo' once complete")
                .isEqualTo(StepState.NOT_RECORDED);
        Instant at = Instant.parse("2026-12-02T09:00:00Z");
        records = List.of(
                new dev.pgferry.audit.AuditRecord(at.plusSeconds(300), "ops", "complete", "shop", "marked complete"),
                new dev.pgferry.audit.AuditRecord(at.plusSeconds(200), "ops", "verify", "shop", "all equal"),
                new dev.pgferry.audit.AuditRecord(at.plusSeconds(190), "ops", "verify", "ledger", "2 of 9 differ"),
                new dev.pgferry.audit.AuditRecord(at.plusSeconds(180), "ops", "verify", "shop", "1 of 5 differ"),
                new dev.pgferry.audit.AuditRecord(at.plusSeconds(100), "ops", "drain", null, "failed: xid held"),
                new dev.pgferry.audit.AuditRecord(at, "anna", "freeze (forced)", null, "roles set NOLOGIN: app"));
        assertThat(step("freeze").state()).isEqualTo(StepState.DONE);
        assertThat(step("freeze").detail()).isEqualTo("done by anna at 2026-12-02 09:00:00 UTC (freeze (forced))");
        assertThat(step("drain").state()).as("its only record is a failure").isEqualTo(StepState.NOT_RECORDED);
        assertThat(step("verify").detail()).isEqualTo("done by ops at 2026-12-02 09:03:20 UTC: shop: all equal; ledger: 2 of 9 differ");
        assertThat(step("complete").detail()).isEqualTo("done by ops at 2026-12-02 09:05:00 UTC");
        CutoverView view = checklist();
        assertThat(view.completion()).extracting(CutoverView.Step::id).containsExactly("complete", "freeze", "drain",
                "sync-sequences", "sync-large-objects", "refresh-matviews", "verify", "switch");
        records = new ArrayList<>(records);
        records.addFirst(new dev.pgferry.audit.AuditRecord(at.plusSeconds(400), "anna", "unfreeze", null,
                "restored: 2 change(s)"));
        assertThat(checklist().completion()).last().satisfies(step -> {
            assertThat(step.id()).isEqualTo("unfreeze");
            assertThat(step.detail()).isEqualTo("done by anna at 2026-12-02 09:06:40 UTC");
        });
        phase = Phase.READY;
        assertThat(checklist().completion()).as("no summary before completion").isEmpty();
    }

    @Test
    void aRolledBackMappingSaysHowItWentBackFromItsRecords() {
        phase = Phase.ROLLED_BACK;
        Instant at = Instant.parse("2026-12-02T09:00:00Z");
        records = List.of(
                new dev.pgferry.audit.AuditRecord(at.plusSeconds(60), "anna", "rollback", null, "drain point 0/1"),
                new dev.pgferry.audit.AuditRecord(at, "ops", "reverse", null, "turned around"));
        CutoverView view = checklist();
        assertThat(view.completion()).extracting(CutoverView.Step::id).startsWith("rollback", "reverse");
        assertThat(view.completion().getFirst().state()).isEqualTo(StepState.DONE);
        assertThat(view.completion().getFirst().detail()).isEqualTo("done by anna at 2026-12-02 09:01:00 UTC");
        assertThat(view.completion().get(1).detail()).isEqualTo("done by ops at 2026-12-02 09:00:00 UTC");
    }
}
