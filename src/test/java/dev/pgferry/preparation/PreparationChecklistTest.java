package dev.pgferry.preparation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.preflight.Check;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Readiness;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The checklist counts every database of the mapping at once, plus the copy's table-sync workers,
 * plus what others use; each item is ticked exactly when the server's value satisfies it.
 */
class PreparationChecklistTest {

    private static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "app migrator", Secret.of("s"),
            "require", "postgres");
    private static final Instance DST = new Instance("new", "10.0.0.2", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of(), Mode.PLAN, CopyMethod.NATIVE);
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private static ServerFacts facts(int major, Map<String, String> settings, int slots, int senders, int workers,
            int origins, ServerFacts.UserRights user) {
        return new ServerFacts(major, settings, slots, senders, workers, origins, user, Map.of(), List.of(), Map.of(),
                Map.of(), Set.of(), true, Set.of());
    }

    private static DatabaseStatus database(String name, Check... checks) {
        ObservedDatabase observed = new ObservedDatabase(name, NOW, null, null, true, true, 1, true, Optional.empty(),
                Optional.empty(), List.of(new ObservedDatabase.Table("public", "t", false, true, null, 10L, null,
                        List.of(), 3L << 30, Optional.empty())), false, Optional.empty());
        return new DatabaseStatus(observed, List.of(checks), Readiness.notReady("blocked"), Plan.of(Phase.BLOCKED,
                "blocked"), Optional.empty());
    }

    private static Preparation.Item item(Preparation p, String side, String startsWith) {
        return p.servers().stream().filter(s -> s.side().equals(side)).flatMap(s -> s.groups().stream())
                .flatMap(g -> g.items().stream()).filter(i -> i.change().startsWith(startsWith)).findFirst()
                .orElseThrow(() -> new AssertionError(startsWith + " on the " + side + ": " + p));
    }

    @Test
    void valuesCountEveryDatabaseTheCopysWorkersAndWhatOthersUse() {
        ServerFacts source = facts(15, Map.of("wal_level", "replica", "max_replication_slots", "5",
                "max_wal_senders", "10", "max_slot_wal_keep_size", "-1"), 3, 2, 0, 0,
                new ServerFacts.UserRights("app migrator", false, false, false, false, false));
        ServerFacts destination = facts(18, Map.of("max_logical_replication_workers", "4",
                "max_worker_processes", "8", "max_sync_workers_per_subscription", "2",
                "max_active_replication_origins", "10"), 0, 0, 1, 1,
                new ServerFacts.UserRights("u", true, true, true, true, true));
        MappingStatus status = new MappingStatus(SHOP, new ObservedInstance("old", null, source, Map.of(), Set.of(),
                Set.of()), new ObservedInstance("new", null, destination, Map.of(), Set.of(), Set.of()),
                List.of(database("orders", Check.block("source.privileges.read", "cannot read public.t",
                        "GRANT SELECT ON public.t TO \"app migrator\";")), database("Billing EU",
                                Check.block("source.database", "Billing EU is not on the source",
                                        "Create it, or leave it out of DATABASES."),
                                Check.warn("source.large_objects", "3 large objects", "Copy them by hand."))), NOW);

        Preparation p = PreparationChecklist.of(status);

        assertThat(p.databases()).isEqualTo(2);
        assertThat(item(p, "source", "ALTER SYSTEM SET wal_level").satisfied()).isFalse();
        Preparation.Item slots = item(p, "source", "ALTER SYSTEM SET max_replication_slots");
        assertThat(slots.change()).isEqualTo("ALTER SYSTEM SET max_replication_slots = 7;");
        assertThat(slots.why()).isEqualTo("3 in use by others + 2 (one slot per database of this mapping) + 2 "
                + "table-sync slots while tables are copied = 7");
        assertThat(slots.seen()).isEqualTo("max_replication_slots = 5");
        assertThat(slots.satisfied()).isFalse();
        assertThat(item(p, "source", "ALTER SYSTEM SET max_wal_senders").change())
                .isEqualTo("ALTER SYSTEM SET max_wal_senders = 10;");
        assertThat(item(p, "source", "ALTER SYSTEM SET max_wal_senders").satisfied()).as("2 + 2 + 2 <= 10").isTrue();
        Preparation.Item walKeep = item(p, "source", "ALTER SYSTEM SET max_slot_wal_keep_size");
        assertThat(walKeep.satisfied()).as("an advice").isNull();
        assertThat(walKeep.why()).contains("about 1 min (6.0 GiB of tables at 100 MiB/s)");
        assertThat(walKeep.seen()).isEqualTo("max_slot_wal_keep_size = -1 (no limit)");
        Preparation.Item hba = item(p, "source", "hostssl");
        assertThat(hba.change()).isEqualTo("hostssl  orders,\"Billing EU\"  \"app migrator\"  10.0.0.2/32  "
                + "scram-sha-256");
        assertThat(hba.satisfied()).as("no subscription connected yet: pgferry cannot tell").isNull();
        assertThat(item(p, "source", "ALTER ROLE \"app migrator\" WITH REPLICATION").satisfied()).isFalse();
        assertThat(item(p, "source", "GRANT SELECT ON public.t").why()).isEqualTo("source.privileges.read in orders");
        assertThat(item(p, "source", "Create it, or leave it out").satisfied()).as("another block").isFalse();
        assertThat(item(p, "source", "Copy them by hand.").satisfied()).as("a warning: an advice").isNull();

        assertThat(item(p, "destination", "ALTER SYSTEM SET max_logical_replication_workers").change())
                .isEqualTo("ALTER SYSTEM SET max_logical_replication_workers = 5;");
        assertThat(item(p, "destination", "ALTER SYSTEM SET max_worker_processes").change())
                .as("5 workers + the launcher + 8 others").isEqualTo("ALTER SYSTEM SET max_worker_processes = 14;");
        assertThat(item(p, "destination", "ALTER SYSTEM SET max_active_replication_origins").satisfied()).isTrue();
        assertThat(item(p, "destination", "ALTER ROLE \"u\" WITH CREATEDB").satisfied()).isTrue();
        assertThat(item(p, "destination", "GRANT pg_create_subscription").satisfied()).isTrue();
        assertThat(p.done()).isFalse();
        assertThat(p.open()).as("wal_level, slots, REPLICATION, the table grant, the missing database, workers, worker pool")
                .isEqualTo(7);
    }

    @Test
    void aServerNotReadIsSaidAndNothingOnItIsTicked() {
        MappingStatus status = new MappingStatus(SHOP, ObservedInstance.unreachable("old", "connection refused"),
                null, List.of(database("orders")), NOW);
        Preparation p = PreparationChecklist.of(status);
        assertThat(p.servers().getFirst().error()).isEqualTo("connection refused");
        assertThat(item(p, "source", "ALTER SYSTEM SET wal_level").satisfied()).isNull();
        assertThat(item(p, "destination", "ALTER SYSTEM SET max_logical_replication_workers").satisfied()).isNull();
        assertThat(p.done()).isFalse();
    }
}
