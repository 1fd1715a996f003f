package dev.pgferry.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pgferry.schemachange.ChangeReport;
import dev.pgferry.schemachange.SchemaChange;
import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The web layer: a database's page and its actions (DatabasePageController). */
class DatabasePageWebTest extends WebTestBase {

    @Test
    void databasePageShowsSchemasTablesLagChartAndConditions() throws Exception {
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("updated by pgferry at 2026-12-01 12:47:03 UTC: the "
                        + "password or replication address of the source changed")))
                .andExpect(content().string(containsString("schema public · 2 table(s)")))
                .andExpect(content().string(containsString("Order Items")))
                .andExpect(content().string(containsString("need 30 s")))
                .andExpect(content().string(containsString("class=\"lag-line\"")))
                .andExpect(content().string(containsString("<progress max=\"100\" value=\"25\">")))
                .andExpect(content().string(containsString("1.0 kB of 4.0 kB, 250 rows")))
                .andExpect(content().string(not(containsString("id=\"count\""))));
    }

    @Test
    void aLongTableListShowsTheTablesThatNeedALookFirstAndLinksToEveryTable() throws Exception {
        // two tables here: with at most one listed, the one being copied goes first
        mvc.perform(get("/mappings/shop/database").param("name", "shop").param("tables", "1")
                .with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("Listing 1 of 2 tables")))
                .andExpect(content().string(containsString("data-table=\"big\"")))
                .andExpect(content().string(not(containsString("data-table=\"Order Items\""))))
                .andExpect(content().string(containsString("schema public · 2 table(s)")))
                .andExpect(content().string(containsString("tables=1")))
                .andExpect(content().string(containsString("tables=all")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").param("tables", "1\" onclick=\"x")
                .with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk()).andExpect(content().string(not(containsString("onclick"))));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(not(containsString("Listing "))))
                .andExpect(content().string(containsString("data-table=\"Order Items\"")));
    }

    @Test
    void schemaChangesShowTheirSqlAndOnlyOperatorsConfirmThem() throws Exception {
        Instant now = Instant.now();
        SchemaChange drop = new SchemaChange("0123456789ab", SchemaChange.Level.CONFIRM, "column dropped",
                "public.customers.nickname", List.of(new SchemaChange.Statement(50,
                        "ALTER TABLE public.customers DROP COLUMN IF EXISTS nickname")), List.of(), false,
                "dropped on the source", List.of("column public.customers.nickname"));
        SchemaChange manual = new SchemaChange("ba9876543210", SchemaChange.Level.MANUAL, "column changed",
                "public.coupons.label", List.of(), List.of(), false, "run ALTER ... USING <expression>",
                List.of("column public.coupons.label"));
        when(schemaChanges.report("shop", "shop")).thenReturn(new ChangeReport(now, List.of(drop, manual), null,
                List.of(new ChangeReport.Applied(now, "pgferry", "c0ffee", "table added", "public.coupons",
                        "CREATE TABLE public.coupons ()")), Map.of()));
        when(ddlCapture.recent("shop", "shop")).thenReturn(List.of(new dev.pgferry.schemachange.DdlCapture
                .CapturedStatement(now, "app", "ALTER TABLE", "public.customers", "ALTER TABLE customers DROP COLUMN "
                        + "nickname"), new dev.pgferry.schemachange.DdlCapture.CapturedStatement(now, "app",
                                "CREATE USER MAPPING", null, null)));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("ALTER TABLE public.customers DROP COLUMN IF EXISTS nickname;")))
                .andExpect(content().string(containsString("id=\"apply-0123456789ab\"")))
                .andExpect(content().string(not(containsString("id=\"apply-ba9876543210\""))))
                .andExpect(content().string(containsString("run ALTER ... USING &lt;expression&gt;")))
                .andExpect(content().string(containsString("CREATE TABLE public.coupons ()")))
                .andExpect(content().string(containsString("DDL statements run on the source (2, newest first")))
                .andExpect(content().string(containsString("ALTER TABLE customers DROP COLUMN nickname")))
                .andExpect(content().string(containsString("(not kept: it may hold a password)")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(not(containsString("id=\"apply-"))));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.schemaChanges.policy").value("apply-safe"))
                .andExpect(jsonPath("$.schemaChanges.pending[0].level").value("confirm"))
                .andExpect(jsonPath("$.schemaChanges.pending[0].confirmable").value(true))
                .andExpect(jsonPath("$.schemaChanges.pending[1].level").value("manual"))
                .andExpect(jsonPath("$.schemaChanges.pending[1].confirmable").value(false))
                .andExpect(jsonPath("$.schemaChanges.applied[0].actor").value("pgferry"))
                .andExpect(jsonPath("$.schemaChanges.captured[0].command").value("ALTER TABLE"));

        mvc.perform(post("/mappings/shop/database/schema-changes/apply").param("name", "shop")
                .param("id", "0123456789ab").with(user("watcher").roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/schema-changes/apply").param("name", "shop").param("id", "0123456789ab")
                .with(httpBasic("watcher", "watch-pw"))).andExpect(status().isForbidden());
        verifyNoInteractions(schemaChangeActions);
        mvc.perform(post("/mappings/shop/database/schema-changes/apply").param("name", "shop")
                .param("id", "0123456789ab").with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection());
        verify(schemaChangeActions).confirm("shop", "shop", "0123456789ab", "ops");
        when(schemaChangeActions.confirm("shop", "shop", "ba9876543210", "ops"))
                .thenThrow(new dev.pgferry.reconcile.ActionRefused("column changed public.coupons.label is manual"));
        mvc.perform(post("/api/mappings/shop/schema-changes/apply").param("name", "shop").param("id", "ba9876543210")
                .with(httpBasic("ops", "ops-pw"))).andExpect(status().isConflict())
                .andExpect(jsonPath("$.error").value(containsString("is manual")));
    }

    @Test
    void unknownDatabaseIsA404() throws Exception {
        mvc.perform(get("/mappings/shop/database").param("name", "nope").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isNotFound()).andExpect(content().string(containsString("no database nope")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "nope").with(httpBasic("watcher", "watch-pw")))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.error").value(containsString("nope")));
    }

    @Test
    void exactCountsShowBesideTheEstimatesAndOnlyOperatorsStartThem() throws Exception {
        Instant now = Instant.now();
        when(exactCounter.last("shop", "shop")).thenReturn(Optional.of(new dev.pgferry.monitor.ExactCount("ops",
                now, now, now, 2, List.of(new dev.pgferry.monitor.ExactCount.TableCount("public", "Order Items",
                        10_001, 9_990, now)), null)));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("10001")))
                .andExpect(content().string(containsString("9990")))
                .andExpect(content().string(containsString("Exact counts of <span>2</span> tables")))
                .andExpect(content().string(containsString("id=\"count\"")))
                .andExpect(content().string(containsString("data-confirm=\"Count every row")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.exactCount.state").value("done"))
                .andExpect(jsonPath("$.tables[0].exactSourceRows").value(10001))
                .andExpect(jsonPath("$.tables[0].exactDelta").value(11))
                .andExpect(jsonPath("$.schemas[0].name").value("public"));

        mvc.perform(post("/mappings/shop/database/count").param("name", "shop").with(user("watcher").roles("VIEWER"))
                .with(csrf())).andExpect(status().isForbidden());
        mvc.perform(post("/api/mappings/shop/database/count").param("name", "shop")
                .with(httpBasic("watcher", "watch-pw"))).andExpect(status().isForbidden());
        verifyNoInteractions(actions);
        mvc.perform(post("/mappings/shop/database/count").param("name", "shop")
                .with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/mappings/shop/database?name=shop&done=count"));
        mvc.perform(post("/api/mappings/shop/database/count").param("name", "shop").with(httpBasic("ops", "ops-pw")))
                .andExpect(status().isAccepted()).andExpect(jsonPath("$.name").value("shop"));
        verify(actions, org.mockito.Mockito.times(2)).countRows("shop", "shop", "ops");
    }

    @Test
    void aDatabaseWhoseSlotLostItsWalOffersTheOperatorToStartItOver() throws Exception {
        MappingStatus streaming = board.get("shop").orElseThrow();
        DatabaseStatus database = streaming.databases().getFirst();
        ObservedDatabase o = database.observed();
        ObservedDatabase lost = new ObservedDatabase(o.database(), o.observedAt(), null, null, true, true, 1, true,
                Optional.of(new ObservedDatabase.Slot(false, "lost", 512, 0)),
                Optional.of(new ObservedDatabase.Subscription(7, false, false, 0, 0)), o.tables(), false,
                Optional.empty());
        board.publish(new MappingStatus(SHOP, streaming.source(), streaming.destination(), List.of(new DatabaseStatus(
                lost, database.checks(), database.readiness(), new Plan(Phase.FAILED, "the replication slot lost WAL "
                        + "it still needed", List.of()), Optional.empty())), Instant.now()));
        mvc.perform(get("/mappings/shop/database?name=shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(containsString("id=\"start-over\"")))
                .andExpect(content().string(containsString("data-alert-kind=\"slot.wal-status\"")));
        mvc.perform(get("/mappings/shop/database?name=shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(not(containsString("id=\"start-over\""))));
        mvc.perform(post("/api/mappings/shop/database/start-over").param("name", "shop")
                .with(httpBasic("watcher", "watch-pw"))).andExpect(status().isForbidden());
        when(actions.startOver("shop", "shop", "ops")).thenReturn(board.get("shop").orElseThrow());
        mvc.perform(post("/mappings/shop/database/start-over").param("name", "shop")
                .with(user("ops").roles("VIEWER", "OPERATOR")).with(csrf()))
                .andExpect(status().is3xxRedirection());
        mvc.perform(post("/api/mappings/shop/database/start-over").param("name", "shop")
                .with(httpBasic("ops", "ops-pw"))).andExpect(status().isOk());
        verify(actions, org.mockito.Mockito.times(2)).startOver("shop", "shop", "ops");
    }

    @Test
    void aStreamingDatabaseOffersNoStartOver() throws Exception {
        mvc.perform(get("/mappings/shop/database?name=shop").with(user("ops").roles("VIEWER", "OPERATOR")))
                .andExpect(content().string(not(containsString("id=\"start-over\""))));
    }

    @Test
    void theSnapshotCopysProgressShowsPerTableWhileItRuns() throws Exception {
        ObservedDatabase observed = new ObservedDatabase("shop", Instant.now(), null, null, true, true, 2, true,
                Optional.of(new ObservedDatabase.Slot(false, "reserved", 0, 4096)), Optional.empty(),
                List.of(new ObservedDatabase.Table("public", "Order Items", false, true, null, 10L, 4L),
                        new ObservedDatabase.Table("public", "big", false, true, null, 1000L, 0L, List.of(), 4096L,
                                Optional.empty()),
                        new ObservedDatabase.Table("public", "empty", false, true, null, 0L, 0L, List.of(), 0L,
                                Optional.empty())), false, Optional.empty());
        board.publish(new MappingStatus(SHOP, new ObservedInstance("old", null, null, Map.of(), Set.of(), Set.of()),
                new ObservedInstance("new", null, null, Map.of(), Set.of(), Set.of()), List.of(new DatabaseStatus(
                        observed, List.of(), new Readiness(false, List.of()), new Plan(Phase.COPYING,
                                "snapshot copy: copying tables in parallel", List.of()), Optional.empty())),
                Instant.now()));
        var state = new dev.pgferry.copy.SnapshotProgress.State(dev.pgferry.copy.SnapshotProgress.Stage.COPYING,
                Instant.now().minusSeconds(10), null, null, List.of(
                        new dev.pgferry.copy.SnapshotProgress.TableState("public", "Order Items", 8192, 8192, 10, true, true),
                        new dev.pgferry.copy.SnapshotProgress.TableState("public", "big", 4096, 1024, 250, false, false),
                        // an empty table not copied yet: no percentage to show
                        new dev.pgferry.copy.SnapshotProgress.TableState("public", "empty", 0, 0, 0, false, false)), 2);
        when(snapshotCopies.last("shop", "shop")).thenReturn(Optional.of(new dev.pgferry.copy.SnapshotCopies.Copy(
                state, 1, 1)));
        mvc.perform(get("/mappings/shop").with(user("watcher").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(containsString("1/3 tables copied, 9.0 kB of 12.0 kB")));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(content().string(containsString("snapshot copy: copied and indexed")))
                .andExpect(content().string(containsString("snapshot copy: copying")))
                // how the rate limit shapes the copy's time (the mapping's default COPY_MAX_RATE)
                .andExpect(content().string(containsString("The copy reads at most 100.0 MB/s from old (COPY_MAX_RATE,"
                        + " shared by every copy reading old; the strictest of its mappings applies): the 3.0 kB left "
                        + "take at least 1 s at that rate. COPY_MAX_RATE=0 lifts the limit.")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.copyLimit").value(containsString("at most 100.0 MB/s from old")))
                .andExpect(jsonPath("$.copyBytesTotal").value(12288))
                .andExpect(jsonPath("$.tables[1].copyBytesDone").value(1024))
                .andExpect(jsonPath("$.tables[1].copyRowsDone").value(250))
                .andExpect(jsonPath("$.tables[1].copyPercent").value(25));
    }

    @Test
    void aResumedCopySaysWhatItKeptAndWhereEachTablesRowsCameFrom() throws Exception {
        ObservedDatabase observed = new ObservedDatabase("shop", Instant.now(), null, null, true, true, 2, true,
                Optional.of(new ObservedDatabase.Slot(true, "reserved", 0, 4096)),
                Optional.of(new ObservedDatabase.Subscription(7, true, true, 0, 0, true, null)),
                List.of(new ObservedDatabase.Table("public", "Order Items", false, true, "r", 10L, 10L),
                        new ObservedDatabase.Table("public", "big", false, true, "d", 1000L, 0L, List.of(), 4096L,
                                Optional.of(new ObservedDatabase.TableSyncProgress(1024, 250))),
                        // published, not in the subscription yet: the resume adds it a moment later
                        new ObservedDatabase.Table("public", "later", false, true, null, 5L, 0L)), false,
                Optional.empty());
        // the destination's record of the copy: it names the database there (OID 0 here), resumed a minute ago
        ObservedInstance.CopyRecord record = new ObservedInstance.CopyRecord(0, true, false, 2, 1, 10,
                Instant.now().minusSeconds(60), 1, 1);
        board.publish(new MappingStatus(SHOP, new ObservedInstance("old", null, null, Map.of(), Set.of(), Set.of()),
                new ObservedInstance("new", null, null, Map.of("shop", new dev.pgferry.monitor.DatabaseInfo("UTF8",
                        "C", "C", "c", null)), Set.of(), Set.of(), null, Map.of(), Set.of(), Map.of(),
                        Map.of(ObservedInstance.completionKey("shop", "shop"), record)),
                List.of(new DatabaseStatus(observed, List.of(), new Readiness(false, List.of()), new Plan(Phase.COPYING,
                        "1 of 2 tables in initial copy; resumed: 1 of 2 tables kept, 1 copied by table synchronization",
                        List.of()), Optional.empty())), Instant.now()));
        when(copyOrigins.of(DST, "shop", "shop", record.resumedAt())).thenReturn(Map.of("public.Order Items",
                "snapshot", "public.big", "table-sync"));
        mvc.perform(get("/mappings/shop/database").param("name", "shop").with(user("watcher").roles("VIEWER")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("Resumed: 1 of 2 tables kept, 1 being copied by table "
                        + "synchronization; the rest of the schema (foreign keys, triggers...) follows once every "
                        + "table is synchronized")))
                .andExpect(content().string(containsString("rows from the snapshot copy, kept at the resume")))
                .andExpect(content().string(containsString("rows from table synchronization, after the resume")))
                // the per-table progress as before
                .andExpect(content().string(containsString("1.0 kB of 4.0 kB, 250 rows")));
        mvc.perform(get("/api/mappings/shop/database").param("name", "shop").with(httpBasic("watcher", "watch-pw")))
                .andExpect(jsonPath("$.copyResume").value(containsString("Resumed: 1 of 2 tables kept")))
                .andExpect(jsonPath("$.tables[0].rowsFrom").value("the snapshot copy, kept at the resume"))
                .andExpect(jsonPath("$.tables[1].rowsFrom").value("table synchronization, after the resume"));
    }
}
