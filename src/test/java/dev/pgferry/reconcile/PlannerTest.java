package dev.pgferry.reconcile;

import dev.pgferry.schemachange.SchemaChange;
import dev.pgferry.schemachange.SchemaOutlook;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Action;
import dev.pgferry.status.ActionFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Slot;
import dev.pgferry.monitor.ObservedDatabase.Subscription;
import dev.pgferry.monitor.ObservedDatabase.Table;
import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.monitor.ServerFacts.Membership;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import dev.pgferry.monitor.ServerFacts.UserRights;
import dev.pgferry.monitor.SourceFacts;
import dev.pgferry.monitor.SourceFacts.Relation;
import dev.pgferry.preflight.Check;
import dev.pgferry.preflight.CheckInput;
import dev.pgferry.preflight.PreflightChecks;
import dev.pgferry.replication.PublishedTable;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.config.Scope;
import dev.pgferry.ownership.Ownership;
import dev.pgferry.status.Action.ClaimDatabase;
import dev.pgferry.status.Action.ConfigureDatabase;
import dev.pgferry.status.Action.CopySchema;
import dev.pgferry.status.Action.CreateDatabase;
import dev.pgferry.status.Action.CreatePublication;
import dev.pgferry.status.Action.CreateRoles;
import dev.pgferry.status.Action.CreateSubscription;
import dev.pgferry.status.Action.DetachSubscription;
import dev.pgferry.status.Action.CreateReversePublication;
import dev.pgferry.status.Action.CreateReverseSlot;
import dev.pgferry.status.Action.CreateReverseSubscription;
import dev.pgferry.status.Action.DropInactiveSlot;
import dev.pgferry.status.Action.DropReversePublication;
import dev.pgferry.status.Action.DropReverseSlot;
import dev.pgferry.status.Action.DropReverseSubscription;
import dev.pgferry.status.Action.FinishRollback;
import dev.pgferry.status.Action.SetSourceSequences;
import dev.pgferry.status.Action.VerifyForRollback;
import dev.pgferry.monitor.ExactCounter;
import dev.pgferry.status.Action.DropPublication;
import dev.pgferry.status.Action.DropSubscription;
import dev.pgferry.status.Action.ResetInterruptedCopy;
import dev.pgferry.status.Action.StartSnapshotCopy;
import dev.pgferry.status.Action.ResumeSnapshotCopy;
import dev.pgferry.copy.SnapshotProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The planner, phase by phase, on hand-built observations. */
class PlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instance SOURCE = new Instance("src", "10.0.0.1", 5432, "u", Secret.none(), "prefer",
            "postgres");
    private static final Instance DESTINATION = new Instance("dst", "10.0.0.2", 5432, "u", Secret.none(), "prefer",
            "postgres");
    private static final String NAME = "pgferry_m_shop";
    private static final Slot ACTIVE_SLOT = new Slot(true, "reserved", 100, 1000);
    private static final Subscription RUNNING = new Subscription(1, true, true, 0, 0);
    private static final DatabaseInfo SHOP_INFO = new DatabaseInfo("UTF8", "C", "C", "c", null);
    private static final PublishedTable ORDERS = new PublishedTable("public", "orders");
    private static final PublishedTable EVENTS = new PublishedTable("public", "events");

    /** A fresh observation: source database present, nothing of pgferry's anywhere. */
    private static Observed fresh() {
        return new Observed();
    }

    @Nested
    class BeforeTheSubscription {

        @Test
        void planModeOnUntouchedServersIsPlannedWithEveryStepListed() {
            Plan plan = plan(Mode.PLAN, fresh());
            assertThat(plan.phase()).isEqualTo(Phase.PLANNED);
            assertThat(plan.actions()).containsExactly(new CreatePublication(NAME, List.of(ORDERS, EVENTS)),
                    new CreateRoles(List.of("alice", "app"), List.of(new Membership("app", "alice"))),
                    new CreateDatabase("shop", SHOP_INFO), new ConfigureDatabase("shop", SHOP_INFO),
                    new CopySchema("shop", List.of()),
                    new CreateSubscription(NAME, NAME, NAME));
        }

        @Test
        void runModeStartsWithThePublicationBeforeAnySlot() {
            Plan plan = plan(Mode.RUN, fresh());
            assertThat(plan.phase()).isEqualTo(Phase.SCHEMA);
            assertThat(plan.actions().getFirst()).isEqualTo(new CreatePublication(NAME, List.of(ORDERS, EVENTS)));
        }

        @Test
        void resumesAfterTheSchemaWasRestored() {
            Observed o = fresh().publication().destinationDatabase(5);
            o.rolesOnDestination = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.SCHEMA);
            assertThat(plan.actions()).containsExactly(new CreateSubscription(NAME, NAME, NAME));
        }

        @Test
        void emptyDestinationDatabaseGetsTheSchema() {
            Plan plan = plan(Mode.RUN, fresh().publication().destinationDatabase(0));
            assertThat(plan.actions()).containsExactly(
                    new CreateRoles(List.of("alice", "app"), List.of(new Membership("app", "alice"))), new CopySchema("shop", List.of()),
                    new CreateSubscription(NAME, NAME, NAME));
        }

        @Test
        void dropsTheSlotLeftByAnInterruptedCreateSubscription() {
            Observed o = fresh().publication().destinationDatabase(5).slot(new Slot(false, "reserved", 0, 0));
            o.rolesOnDestination = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.actions()).containsExactly(new DropInactiveSlot(NAME, 0),
                    new CreateSubscription(NAME, NAME, NAME));
        }

        @Test
        void planModeAfterPartialRunShowsSchemaAndActsOnNothing() {
            Plan plan = plan(Mode.PLAN, fresh().publication());
            assertThat(plan.phase()).isEqualTo(Phase.SCHEMA);
            assertThat(plan.reason()).contains("mode plan");
        }
    }

    @Nested
    class Blocked {

        @Test
        void missingSourceDatabaseBlocks() {
            Observed o = fresh();
            o.sourceDatabaseExists = false;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.BLOCKED);
            assertThat(plan.reason()).contains("does not exist on source src");
            assertThat(plan.blockedBy()).containsExactly("source.database");
            assertThat(plan.executable()).isFalse();
        }

        @Test
        void blockedPlanStillListsTheStepsRunModeWouldTake() {
            Observed o = fresh();
            o.relations = List.of(relation("public", "log", false));
            Plan plan = plan(Mode.PLAN, o);
            assertThat(plan.phase()).isEqualTo(Phase.BLOCKED);
            assertThat(plan.blockedBy()).containsExactly("source.tables_without_key");
            assertThat(plan.actions()).first().isInstanceOf(CreatePublication.class);
            assertThat(plan.actions()).last().isInstanceOf(CreateSubscription.class);
        }

        @Test
        void excludeRemedyLeavesKeylessTablesOutOfThePublication() {
            Observed o = fresh();
            o.relations = List.of(relation("public", "orders", true), relation("public", "log", false));
            o.remedy = Mapping.TablesWithoutKey.EXCLUDE;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.SCHEMA);
            assertThat(plan.actions().getFirst()).isEqualTo(new CreatePublication(NAME, List.of(ORDERS)));
        }

        @Test
        void aDestinationDatabasePgferryDidNotCreateBlocksEvenWhenEmptyAndAStalePublicationProvesNothing() {
            for (int objects : new int[] {0, 3}) {
                Observed o = fresh().publication().destinationDatabase(objects);
                o.ownership = Ownership.of(16400L, true, null, false, objects);
                Plan plan = plan(Mode.RUN, o);
                assertThat(plan.phase()).isEqualTo(Phase.BLOCKED);
                assertThat(plan.reason()).contains("already exists on destination dst and is not pgferry's");
                assertThat(plan.blockedBy()).containsExactly("destination.database_owned");
                assertThat(plan.executable()).isFalse();
            }
        }

        @Test
        void anotherDatabaseOfTheSameNameIsNotTakenForTheOnePgferryCreated() {
            Observed o = snapshot(fresh().destinationDatabase(2));
            o.ownership = Ownership.of(16500L, true, new Ownership.Record("created", 16400L), false, 2);
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.blockedBy()).containsExactly("destination.database_owned");
            assertThat(plan.reason()).contains("(OID 16400) is gone; this one (OID 16500");
        }

        @Test
        void unreadableOwnershipRecordsBlockAnExistingDatabase() {
            Observed o = fresh().destinationDatabase(0);
            o.ownership = Ownership.of(16400L, false, null, false, 0);
            assertThat(plan(Mode.RUN, o).blockedBy()).containsExactly("destination.database_owned");
        }

        @Test
        void theMaintenanceDatabaseIsNeverATarget() {
            Observed o = fresh();
            o.database = "postgres";
            assertThat(plan(Mode.RUN, o).blockedBy()).contains("destination.maintenance_database");
        }

        @Test
        void unreachableSourceBlocks() {
            Observed o = fresh();
            o.sourceError = "src (10.0.0.1:5432) is unreachable: Connection refused";
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.BLOCKED);
            assertThat(plan.reason()).contains("Connection refused");
        }
    }

    @Nested
    class WithTheSubscription {

        @Test
        void tablesInInitOrDataCopyMeanCopying() {
            Plan plan = plan(Mode.RUN, subscribed("r", "d", "i"));
            assertThat(plan.phase()).isEqualTo(Phase.COPYING);
            assertThat(plan.reason()).startsWith("2 of 3 tables");
        }

        @Test
        void tablesFinishedOrSynchronizedMeanCatchingUp() {
            assertThat(plan(Mode.RUN, subscribed("r", "f")).phase()).isEqualTo(Phase.CATCHING_UP);
            assertThat(plan(Mode.RUN, subscribed("s", "r")).phase()).isEqualTo(Phase.CATCHING_UP);
        }

        @Test
        void allTablesReadyMeansStreaming() {
            Plan plan = plan(Mode.RUN, subscribed("r", "r"));
            assertThat(plan.phase()).isEqualTo(Phase.STREAMING);
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void streamingWithEveryConditionHeldIsReady() {
            Plan plan = Planner.plan(input(Mode.RUN, subscribed("r", "r"), new Readiness(true, List.of()),
                    Optional.empty()));
            assertThat(plan.phase()).isEqualTo(Phase.READY);
        }

        @Test
        void schemaChangesDueAreCarriedOverWhileStreaming() {
            Observed o = subscribed("r", "r");
            SchemaChange column = new SchemaChange("abc123abc123", SchemaChange.Level.SAFE, "column added",
                    "public.t.c", List.of(new SchemaChange.Statement(50, "ALTER TABLE public.t ADD COLUMN c text")),
                    List.of(), false, "additive", List.of("column public.t.c"));
            o.schema = new SchemaOutlook(List.of(column), List.of(new PublishedTable("public", "late")), false,
                    "column added public.t.c (applied automatically)");
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.STREAMING);
            assertThat(plan.reason()).startsWith("streaming; waiting for the schema change to reach the destination: "
                    + "column added public.t.c").contains("no row is lost");
            assertThat(plan.actions()).singleElement().isEqualTo(new Action.ApplySchemaChanges(List.of("abc123abc123"),
                    List.of(new PublishedTable("public", "late")), false, List.of("column added public.t.c")));
            assertThat(plan.actions().getFirst().describe()).isEqualTo("apply 1 schema change(s) on the destination: "
                    + "column added public.t.c; add public.late to the publication; refresh the subscription (new "
                    + "tables get their initial copy)");
        }

        @Test
        void theDdlCaptureIsInstalledOnceStreamingAndRemovedWhenTurnedOff() {
            Observed o = subscribed("r", "r");
            o.captureWanted = true;
            String name = ReplicationNames.ddlCapture("m", "shop").name();
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new Action.InstallDdlCapture(name));
            o.ddlCapture = true;
            assertThat(plan(Mode.RUN, o).actions()).isEmpty();
            o.captureWanted = false;
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new Action.RemoveDdlCapture(name));
        }

        @Test
        void aFailedDatabaseCarriesNoSchemaChangeOver() {
            Observed o = subscribed("r");
            o.slot = Optional.empty();
            o.schema = new SchemaOutlook(List.of(), List.of(), true, null);
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.FAILED);
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void lostSlotFails() {
            Observed o = subscribed("r");
            o.slot = Optional.empty();
            assertThat(plan(Mode.RUN, o).phase()).isEqualTo(Phase.FAILED);
            o.slot = Optional.of(new Slot(false, "lost", 0, 0));
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.FAILED);
            assertThat(plan.reason()).contains("max_slot_wal_keep_size");
        }

        @Test
        void aSubscriptionWhoseConnectionIsNotCurrentGetsTheCurrentOneAndKeepsItsPhase() {
            Observed o = subscribed("r", "r");
            o.subscription = Optional.of(new Subscription(1, true, true, 0, 0, false, null));
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.STREAMING);
            assertThat(plan.actions()).containsExactly(new Action.UpdateSubscriptionConnection(NAME));
            assertThat(plan.actions().get(0).describe()).contains("the value is not shown");
        }

        @Test
        void aTokenFromACommandIsRenewedOnlyWhenTheApplyWorkerCannotLogIn() {
            Observed o = subscribed("r", "r");
            o.sourceInstance = new Instance("src", "10.0.0.1", 5432, "u", Secret.fromCommand("print-token"), "prefer",
                    "postgres");
            o.subscription = Optional.of(new Subscription(1, true, true, 0, 0, false, null));
            assertThat(plan(Mode.RUN, o).actions()).as("a connected worker keeps its session").isEmpty();
            o.subscription = Optional.of(new Subscription(1, true, false, 0, 0, false, null));
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new Action.UpdateSubscriptionConnection(NAME));
        }

        @Test
        void droppedPublicationFails() {
            Observed o = subscribed("r");
            o.publication = false;
            assertThat(plan(Mode.RUN, o).phase()).isEqualTo(Phase.FAILED);
        }
    }

    @Nested
    class Ownerships {

        @Test
        void anEmptyDatabaseHandedOverIsRecordedAsPgferrysThenUsedLikeItsOwn() {
            Observed o = fresh().publication().destinationDatabase(0);
            o.rolesOnDestination = true;
            o.adopt = List.of("shop");
            o.ownership = Ownership.of(16400L, true, null, true, 0);
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.SCHEMA);
            assertThat(plan.actions()).containsExactly(new ClaimDatabase("shop", "adopted"),
                    new CopySchema("shop", List.of()), new CreateSubscription(NAME, NAME, NAME));
        }

        @Test
        void aDatabaseHandedOverThatHoldsObjectsBlocks() {
            Observed o = fresh().destinationDatabase(1);
            o.adopt = List.of("shop");
            o.ownership = Ownership.of(16400L, true, null, true, 1);
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.blockedBy()).containsExactly("destination.database_owned");
            assertThat(plan.reason()).contains("only an empty database is handed over");
        }

        @Test
        void aDatabasePgferryCreatedButDidNotRecordIsClaimedWhileEmptyAndBlocksOtherwise() {
            Observed o = snapshot(fresh().publication().destinationDatabase(0));
            o.rolesOnDestination = true;
            o.ownership = Ownership.of(16400L, true, new Ownership.Record("created", null), false, 0);
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new ClaimDatabase("shop", "created"),
                    new StartSnapshotCopy("shop", NAME, List.of()));
            o.ownership = Ownership.of(16400L, true, new Ownership.Record("created", null), false, 4);
            assertThat(plan(Mode.RUN, o).blockedBy()).containsExactly("destination.database_owned");
        }

        @Test
        void dataOnlyMovesRowsIntoTheDestinationsOwnDatabaseWithoutOwningIt() {
            Observed o = fresh().destinationDatabase(3);
            o.content = Mapping.Content.DATA_ONLY;
            o.ownership = Ownership.of(16400L, true, null, false, 3);
            assertThat(plan(Mode.RUN, o).blockedBy()).doesNotContain("destination.database_owned");
        }

        @Test
        void onlyAnOwnedDatabaseThatHoldsSomethingIsAnInterruptedCopy() {
            Observed owned = snapshot(fresh().publication().destinationDatabase(0));
            owned.rolesOnDestination = true;
            owned.ownership = Ownership.of(16400L, true, new Ownership.Record("created", 16400L), false, 1);
            assertThat(plan(Mode.RUN, owned).actions()).containsExactly(new ResetInterruptedCopy("shop", 0));
            owned.ownership = Ownership.of(16400L, true, new Ownership.Record("created", 16400L), false, 0);
            assertThat(plan(Mode.RUN, owned).actions()).containsExactly(new StartSnapshotCopy("shop", NAME, List.of()));
        }
    }

    @Nested
    class Failures {

        @Test
        void aFailedActionIsShownAndRetriedAfterItsBackoff() {
            ActionFailure failure = new ActionFailure("copy schema", "role \"app\" does not exist", 1,
                    NOW.minusSeconds(1));
            Plan waiting = Planner.plan(input(Mode.RUN, fresh(), Readiness.notReady("x"), Optional.of(failure)));
            assertThat(waiting.phase()).isEqualTo(Phase.FAILED);
            assertThat(waiting.reason()).contains("role \"app\" does not exist").contains("trying again later");
            assertThat(waiting.actions()).isEmpty();

            ActionFailure old = new ActionFailure("copy schema", "boom", 1, NOW.minusSeconds(60));
            Plan retry = Planner.plan(input(Mode.RUN, fresh(), Readiness.notReady("x"), Optional.of(old)));
            assertThat(retry.phase()).isEqualTo(Phase.FAILED);
            assertThat(retry.actions()).isNotEmpty();
        }

        @Test
        void backoffDoublesUpToFiveMinutes() {
            assertThat(Planner.backoff(1)).isEqualTo(Duration.ofSeconds(5));
            assertThat(Planner.backoff(3)).isEqualTo(Duration.ofSeconds(20));
            assertThat(Planner.backoff(30)).isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Nested
    class Complete {

        @Test
        void markedCompleteRemovesSubscriptionThenPublication() {
            Observed o = subscribed("r");
            o.completion = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.COMPLETE);
            assertThat(plan.actions()).containsExactly(new DropSubscription(NAME), new DropPublication(NAME));
        }

        @Test
        void aCompletedDatabaseKeepsNoDdlCaptureOnItsSource() {
            Observed o = subscribed("r");
            o.completion = true;
            o.ddlCapture = true;
            o.captureWanted = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.actions()).containsExactly(new DropSubscription(NAME), new DropPublication(NAME),
                    new Action.RemoveDdlCapture(ReplicationNames.ddlCapture("m", "shop").name()));
        }

        @Test
        void slotLeftAfterTheSubscriptionIsDropped() {
            Observed o = fresh().destinationDatabase(5).slot(new Slot(false, "reserved", 0, 0));
            o.completion = true;
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new DropInactiveSlot(NAME, 0));
        }

        @Test
        void withTheSourceDownTheSubscriptionIsDetachedAndTheCleanupCommandShown() {
            Observed o = subscribed("r");
            o.completion = true;
            o.sourceError = "src (h:5432) is unreachable: Connection refused";
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.COMPLETE);
            assertThat(plan.actions()).containsExactly(new DetachSubscription(NAME));
            assertThat(plan.reason()).contains("in database \"shop\": BEGIN READ WRITE; SELECT "
                    + "pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + NAME
                    + "' AND NOT active; DROP PUBLICATION IF EXISTS \"" + NAME + "\"; COMMIT;");
        }

        @Test
        void nothingLeftIsCompleteWithNoActionAndNoConflict() {
            Observed o = fresh().destinationDatabase(5);
            o.completion = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.COMPLETE);
            assertThat(plan.actions()).isEmpty();
        }
    }

    /** A database an operator turned around after the switch (issue 18): the reverse direction's steps. */
    @Nested
    class TurnedAround {

        private final ReplicationNames back = ReplicationNames.reverse("m", "shop");

        @Test
        void theReversePublicationComesFirstThenTheForwardDirectionGoesThenTheReverseSlotAndSubscription() {
            Observed o = subscribed("r", "r");
            o.reverse = Optional.of(new ObservedDatabase.Reverse(false, Optional.empty(), Optional.empty()));
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.SWITCHED);
            assertThat(plan.reason()).startsWith("turning around: create publication " + back.publication());
            assertThat(plan.actions()).containsExactly(
                    new CreateReversePublication(back.publication(), List.of(new PublishedTable("public", "t0"),
                            new PublishedTable("public", "t1"))),
                    new DropSubscription(NAME), new DropPublication(NAME), new CreateReverseSlot(back.slot()),
                    new CreateReverseSubscription(back.subscription(), back.publication(), back.slot()));
            assertThat(back.name()).isNotEqualTo(NAME).startsWith("pgferry_m_shop");
        }

        @Test
        void stoppedHalfwayItResumesFromWhatTheServersShow() {
            // the forward subscription was dropped (with its slot), the publication was not
            Observed o = fresh().publication().destinationDatabase(2);
            o.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.empty(), Optional.empty()));
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new DropPublication(NAME),
                    new CreateReverseSlot(back.slot()),
                    new CreateReverseSubscription(back.subscription(), back.publication(), back.slot()));
            // only the subscription is missing
            Observed later = fresh().destinationDatabase(2);
            later.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(ACTIVE_SLOT), Optional.empty()));
            assertThat(plan(Mode.RUN, later).actions()).containsExactly(
                    new CreateReverseSubscription(back.subscription(), back.publication(), back.slot()));
        }

        @Test
        void streamingBackIsSwitchedWithNothingToDo() {
            Observed o = fresh().destinationDatabase(2);
            o.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(ACTIVE_SLOT), Optional.of(RUNNING)));
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.SWITCHED);
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.reason()).contains("its changes flow back to the source (100 bytes behind)");
        }

        @Test
        void aDisabledReverseSubscriptionOrALostSlotIsSaid() {
            Observed disabled = fresh().destinationDatabase(2);
            disabled.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(ACTIVE_SLOT),
                    Optional.of(new Subscription(2, false, false, 1, 0))));
            assertThat(plan(Mode.RUN, disabled).reason()).contains("disabled: nothing flows back");
            Observed lost = fresh().destinationDatabase(2);
            lost.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(new Slot(false, "lost", 0, 0)),
                    Optional.of(RUNNING)));
            Plan plan = plan(Mode.RUN, lost);
            assertThat(plan.phase()).isEqualTo(Phase.FAILED);
            assertThat(plan.reason()).startsWith("[reverse-slot-lost]").contains("do not roll back");
        }

        @Test
        void withTheSourceDownNothingIsDone() {
            Observed o = fresh().destinationDatabase(2);
            o.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(ACTIVE_SLOT), Optional.empty()));
            o.sourceError = "src (h:5432) is unreachable: Connection refused";
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.SWITCHED);
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.reason()).contains("the source cannot be read now");
        }

        private Observed switched(long confirmed) {
            Observed o = fresh().destinationDatabase(2);
            o.states = List.of("r", "r");
            o.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(new Slot(true, "reserved", 0, 0,
                    null, confirmed)), Optional.of(RUNNING)));
            return o;
        }

        @Test
        void aRollbackWaitsForTheSourceThenSetsItsSequencesVerifiesAndFinishesInTurn() {
            Observed o = switched(900);
            o.rollback = new ObservedInstance.Rollback(1000, "0/3E8", null, null, null);
            Plan waiting = plan(Mode.RUN, o);
            assertThat(waiting.phase()).isEqualTo(Phase.SWITCHED);
            assertThat(waiting.reason()).contains("rolling back").contains("0/3E8 (100 bytes to go)");
            assertThat(waiting.actions()).isEmpty();
            o = switched(1000);
            o.rollback = new ObservedInstance.Rollback(1000, "0/3E8", null, null, null);
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new SetSourceSequences("shop"));
            o.rollback = new ObservedInstance.Rollback(1000, "0/3E8", NOW, null, null);
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new VerifyForRollback("shop", List.of(
                    new ExactCounter.TableName("public", "t0"), new ExactCounter.TableName("public", "t1"))));
            o.rollback = new ObservedInstance.Rollback(1000, "0/3E8", NOW, NOW, null);
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new FinishRollback("shop"));
        }

        @Test
        void aFailedRollbackStepWaitsForItsBackOff() {
            Observed o = switched(1000);
            o.rollback = new ObservedInstance.Rollback(1000, "0/3E8", NOW, null, null);
            Plan plan = Planner.plan(input(Mode.RUN, o, Readiness.notReady("not yet"), Optional.of(new ActionFailure(
                    "verify", "rollback halted: 1 table(s) differ", 1, NOW.minusSeconds(1)))));
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.reason()).contains("rollback halted").contains("trying again later");
        }

        @Test
        void rolledBackIsItsOwnPhaseAndRemovesTheReverseDirection() {
            Observed o = switched(1000);
            o.rollback = new ObservedInstance.Rollback(1000, "0/3E8", NOW, NOW, NOW);
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(plan.actions()).containsExactly(new DropReverseSubscription(back.subscription()),
                    new DropReverseSlot(back.slot()), new DropReversePublication(back.publication()));
        }

        @Test
        void completeRemovesTheReverseDirectionAndWithTheSourceDownOnlyWhatIsOnTheDestination() {
            Observed o = fresh().destinationDatabase(2);
            o.reverse = Optional.of(new ObservedDatabase.Reverse(true, Optional.of(ACTIVE_SLOT), Optional.of(RUNNING)));
            o.completion = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.COMPLETE);
            assertThat(plan.actions()).containsExactly(new DropReverseSubscription(back.subscription()),
                    new DropReverseSlot(back.slot()), new DropReversePublication(back.publication()));
            o.sourceError = "src (h:5432) is unreachable: Connection refused";
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new DropReverseSlot(back.slot()),
                    new DropReversePublication(back.publication()));
        }
    }

    @Nested
    class SnapshotCopy {

        private SnapshotProgress.State state(SnapshotProgress.Stage stage, String error) {
            return new SnapshotProgress.State(stage, NOW.minusSeconds(60), stage == SnapshotProgress.Stage.FAILED
                    ? NOW.minusSeconds(1) : null, error, List.of(), 4);
        }

        @Test
        void theCopyRestoresTheSchemaItselfAndSubscribesWhenDone() {
            Plan plan = plan(Mode.PLAN, snapshot(fresh()));
            assertThat(plan.actions()).containsExactly(new CreatePublication(NAME, List.of(ORDERS, EVENTS)),
                    new CreateRoles(List.of("alice", "app"), List.of(new Membership("app", "alice"))),
                    new CreateDatabase("shop", SHOP_INFO), new ConfigureDatabase("shop", SHOP_INFO),
                    new StartSnapshotCopy("shop", NAME, List.of()));
        }

        @Test
        void whileTheCopyRunsHereItIsCopyingAndNothingElseIsDone() {
            Observed o = snapshot(fresh().publication().destinationDatabase(3).slot(new Slot(true, "reserved", 0, 0)));
            o.rolesOnDestination = true;
            o.copy = Optional.of(state(SnapshotProgress.Stage.COPYING, null));
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.COPYING);
            assertThat(plan.reason()).startsWith("snapshot copy: copying tables in parallel");
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void anInterruptedCopyIsStartedOverFromAnEmptyDatabaseNeverSubscribedOnPartialData() {
            Observed o = snapshot(fresh().publication().destinationDatabase(3).slot(new Slot(false, "reserved", 0, 0)));
            o.rolesOnDestination = true;
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.actions()).containsExactly(new DropInactiveSlot(NAME, 0), new ResetInterruptedCopy("shop", 0));
            assertThat(plan.actions()).noneMatch(a -> a instanceof CreateSubscription);
            // once reset: database again, then the copy
            Observed reset = snapshot(fresh().publication());
            reset.rolesOnDestination = true;
            assertThat(plan(Mode.RUN, reset).actions()).containsExactly(new CreateDatabase("shop", SHOP_INFO),
                    new ConfigureDatabase("shop", SHOP_INFO), new StartSnapshotCopy("shop", NAME, List.of()));
        }

        @Test
        void theStepsThatUndoAnInterruptedCopyCarryTheCopyGenerationTheyWerePlannedOn() {
            Observed o = snapshot(fresh().publication().destinationDatabase(3).slot(new Slot(false, "reserved", 0, 0)));
            o.rolesOnDestination = true;
            o.copyGeneration = 2;
            o.copy = Optional.of(state(SnapshotProgress.Stage.DONE, null));
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new DropInactiveSlot(NAME, 2),
                    new ResetInterruptedCopy("shop", 2));
        }

        /** A copy into the database there now (OID 0 in these tests), its schema restored, 2 of 4 tables finished. */
        private ObservedInstance.CopyRecord record(long oid, boolean schema, int copied) {
            return new ObservedInstance.CopyRecord(oid, schema, false, 4, copied, copied * 1000L, null, 0, 0);
        }

        @Test
        void anInterruptedCopyThatFinishedTablesResumesKeepingThemAndItsSlot() {
            Observed o = snapshot(fresh().publication().destinationDatabase(3).slot(new Slot(false, "reserved", 0, 0)));
            o.rolesOnDestination = true;
            o.copyRecord = record(0, true, 2);
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.actions()).containsExactly(new ResumeSnapshotCopy("shop", NAME, List.of(ORDERS, EVENTS),
                    List.of(), 2, 4));
            assertThat(plan.actions().getFirst().describe()).contains("keep the tables it finished (2 of 4 recorded");
        }

        @Test
        void anInterruptedCopyStartsOverWhenItsRecordsDoNotAllowAResume() {
            ObservedInstance.CopyRecord onlyEmptyTables = new ObservedInstance.CopyRecord(0, true, false, 4, 2, 0, null,
                    0, 0);
            for (ObservedInstance.CopyRecord record : List.of(record(0, true, 0), record(0, false, 2),
                    record(99, true, 2), onlyEmptyTables)) {
                Observed o = snapshot(fresh().publication().destinationDatabase(3)
                        .slot(new Slot(false, "reserved", 0, 0)));
                o.rolesOnDestination = true;
                o.copyRecord = record;
                assertThat(plan(Mode.RUN, o).actions()).as("no table finished, schema not restored, a record of an "
                        + "earlier database, only empty tables finished: %s", record).containsExactly(new DropInactiveSlot(NAME, 0),
                        new ResetInterruptedCopy("shop", 0));
            }
            // the slot is gone: its snapshot's consistent point with it
            Observed o = snapshot(fresh().publication().destinationDatabase(3));
            o.rolesOnDestination = true;
            o.copyRecord = record(0, true, 2);
            assertThat(plan(Mode.RUN, o).actions()).containsExactly(new ResetInterruptedCopy("shop", 0));
        }

        @Test
        void aResumedCopyShowsItsTablesInSynchronizationThenRestoresTheRestOfTheSchema() {
            Observed syncing = snapshot(subscribed("r", "d"));
            syncing.copyRecord = new ObservedInstance.CopyRecord(0, true, false, 4, 2, 2000, NOW.minusSeconds(30), 2, 2);
            Plan copying = plan(Mode.RUN, syncing);
            assertThat(copying.phase()).isEqualTo(Phase.COPYING);
            assertThat(copying.reason()).endsWith("resumed: 2 of 4 tables kept, 2 copied by table synchronization");
            assertThat(copying.actions()).noneMatch(a -> a instanceof ResumeSnapshotCopy);

            Observed synced = snapshot(subscribed("r", "r"));
            synced.copyRecord = syncing.copyRecord;
            Plan finishing = plan(Mode.RUN, synced);
            assertThat(finishing.phase()).isEqualTo(Phase.CATCHING_UP);
            assertThat(finishing.reason()).contains("the rest of the schema");
            assertThat(finishing.actions()).contains(new ResumeSnapshotCopy("shop", NAME, List.of(ORDERS, EVENTS),
                    List.of(), 2, 4));

            Observed done = snapshot(subscribed("r", "r"));
            done.copyRecord = new ObservedInstance.CopyRecord(0, true, true, 4, 2, 2000, NOW.minusSeconds(30), 2, 2);
            assertThat(plan(Mode.RUN, done).actions()).noneMatch(a -> a instanceof ResumeSnapshotCopy);
            assertThat(plan(Mode.RUN, done).phase()).isEqualTo(Phase.STREAMING);
        }

        @Test
        void whileAResumeRunsHereTheDatabaseIsCopyingEvenWithItsSubscription() {
            Observed o = snapshot(subscribed("r", "r"));
            o.copyRecord = new ObservedInstance.CopyRecord(0, true, false, 4, 2, 2000, null, 0, 0);
            o.copy = Optional.of(state(SnapshotProgress.Stage.RESUMING, null));
            Plan plan = plan(Mode.RUN, o);
            assertThat(plan.phase()).isEqualTo(Phase.COPYING);
            assertThat(plan.reason()).startsWith("snapshot copy: resuming the interrupted copy");
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void aFailedCopyWaitsForItsBackOffBeforeStartingOver() {
            Observed o = snapshot(fresh().publication().destinationDatabase(3));
            o.rolesOnDestination = true;
            Plan plan = Planner.plan(input(Mode.RUN, o, Readiness.notReady("not yet"), Optional.of(
                    new ActionFailure("snapshot copy", "disk full", 1, NOW.minusSeconds(1)))));
            assertThat(plan.phase()).isEqualTo(Phase.FAILED);
            assertThat(plan.reason()).contains("disk full").contains("trying again later");
            assertThat(plan.actions()).isEmpty();
        }
    }

    private static Observed snapshot(Observed o) {
        o.copyMethod = CopyMethod.SNAPSHOT;
        return o;
    }

    private static Observed subscribed(String... states) {
        Observed o = fresh().publication().destinationDatabase(states.length).slot(ACTIVE_SLOT);
        o.subscription = Optional.of(RUNNING);
        o.states = List.of(states);
        return o;
    }

    private static Plan plan(Mode mode, Observed o) {
        return Planner.plan(input(mode, o, Readiness.notReady("not yet"), Optional.empty()));
    }

    private static PlanInput input(Mode mode, Observed o, Readiness readiness, Optional<ActionFailure> failure) {
        Mapping mapping = new Mapping("m", o.sourceInstance, DESTINATION, List.of(o.database), mode, o.copyMethod, o.remedy,
                Mapping.RoleConflict.MERGE, o.content, Scope.ALL, false, Mapping.CopyLimits.DEFAULT, o.adopt,
                Mapping.FreezeRoles.NONE).withSchemaChanges(new Mapping.SchemaChanges(
                        Mapping.SchemaChangePolicy.APPLY_SAFE, o.captureWanted));
        ObservedDatabase observed = o.build();
        ObservedInstance source = new ObservedInstance("src", null, server(15, true), Map.of(o.database, SHOP_INFO),
                Set.of(), Set.of());
        ObservedInstance destination = new ObservedInstance("dst", null, server(18, o.rolesOnDestination),
                o.destinationDatabaseExists ? Map.of(o.database, SHOP_INFO) : Map.of(), Set.of(), Set.of(), null,
                Map.of(), Set.of(), o.rollback == null ? Map.of()
                        : Map.of(ObservedInstance.completionKey("m", o.database), o.rollback),
                o.copyRecord == null ? Map.of() : Map.of(ObservedInstance.completionKey("m", o.database), o.copyRecord));
        if (o.sourceError != null) {
            source = ObservedInstance.unreachable("src", o.sourceError);
        }
        List<Check> checks = PreflightChecks.evaluate(new CheckInput(mapping, observed, source, destination,
                OptionalInt.of(15), null));
        return new PlanInput(mapping, mode, observed, source, destination, checks, readiness, failure, NOW, o.copy,
                o.copyGeneration, o.schema);
    }

    /** A server with room to spare, a superuser, and (on the source, or when asked) the role app with member alice. */
    private static ServerFacts server(int major, boolean withRoles) {
        Map<String, RoleInfo> roles = new HashMap<>();
        roles.put("postgres", new RoleInfo("postgres", true, true, true, true, true, true, true, -1));
        List<Membership> memberships = List.of();
        if (withRoles) {
            roles.put("app", new RoleInfo("app", false, true, false, false, false, false, false, -1));
            roles.put("alice", new RoleInfo("alice", false, true, false, false, true, false, false, -1));
            memberships = List.of(new Membership("app", "alice"));
        }
        return new ServerFacts(major, Map.of("wal_level", "logical", "max_replication_slots", "10",
                "max_wal_senders", "10", "max_logical_replication_workers", "10",
                "max_sync_workers_per_subscription", "2"), 0, 0, 0, 0,
                new UserRights("postgres", true, true, true, true, true), roles, memberships, Map.of(), Map.of(),
                Set.of("plpgsql"), true, Set.of());
    }

    private static Relation relation(String schema, String name, boolean hasKey) {
        return new Relation(schema, name, false, false, schema, name, false, hasKey, true, true);
    }

    /** A mutable builder of observations, so each test states only what differs. */
    private static final class Observed {
        String sourceError;
        boolean sourceDatabaseExists = true;
        boolean destinationDatabaseExists;
        int destinationTables;
        boolean publication;
        Optional<Slot> slot = Optional.empty();
        Optional<Subscription> subscription = Optional.empty();
        List<String> states = List.of();
        boolean completion;
        boolean ddlCapture;
        boolean captureWanted;
        boolean rolesOnDestination;
        Mapping.TablesWithoutKey remedy = Mapping.TablesWithoutKey.BLOCK;
        CopyMethod copyMethod = CopyMethod.NATIVE;
        Mapping.Content content = Mapping.Content.SCHEMA_AND_DATA;
        List<String> adopt = List.of();
        String database = "shop";
        Instance sourceInstance = SOURCE;
        /** null: the default of a database pgferry created (see {@link #build}). */
        Ownership ownership;
        Optional<SnapshotProgress.State> copy = Optional.empty();
        long copyGeneration;
        SchemaOutlook schema = SchemaOutlook.NONE;
        /** The reverse direction of a database turned around (a reversal recorded), or empty. */
        Optional<ObservedDatabase.Reverse> reverse = Optional.empty();
        /** An operator's rollback recorded on the destination, or null. */
        ObservedInstance.Rollback rollback;
        /** The snapshot copy's record on the destination, or null. */
        ObservedInstance.CopyRecord copyRecord;
        List<Relation> relations = List.of(relation("public", "orders", true),
                new Relation("public", "events", true, false, "public", "events", false, false, true, true),
                new Relation("public", "events_2026", false, true, "public", "events", false, true, true, true));

        Observed publication() {
            publication = true;
            return this;
        }

        Observed destinationDatabase(int tables) {
            destinationDatabaseExists = true;
            destinationTables = tables;
            return this;
        }

        Observed slot(Slot value) {
            slot = Optional.of(value);
            return this;
        }

        ObservedDatabase build() {
            List<Table> tables = new java.util.ArrayList<>();
            for (int i = 0; i < states.size(); i++) {
                tables.add(new Table("public", "t" + i, false, true, states.get(i), 10L, 10L));
            }
            SourceFacts facts = new SourceFacts(relations, 0, Set.of(), List.of(), true, Set.of("app", "alice"),
                    publication ? Boolean.TRUE : null);
            Ownership owner = ownership != null ? ownership : destinationDatabaseExists
                    ? Ownership.of(16400L, true, new Ownership.Record("created", 16400L), false, destinationTables)
                    : Ownership.absent();
            return new ObservedDatabase(database, NOW, sourceError, null, sourceDatabaseExists,
                    destinationDatabaseExists, destinationTables, publication, slot, subscription, tables, completion,
                    sourceError == null && sourceDatabaseExists ? Optional.of(facts) : Optional.empty(), List.of(),
                    Optional.empty(), owner, reverse, ddlCapture);
        }
    }
}
