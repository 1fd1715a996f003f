package dev.pgferry.preparation;

import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.monitor.ServerFacts;
import dev.pgferry.preflight.Check;
import dev.pgferry.preparation.Preparation.Group;
import dev.pgferry.preparation.Preparation.Item;
import dev.pgferry.preparation.Preparation.Server;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Builds a mapping's {@link Preparation} from the last tick's facts (pure: no I/O). The values
 * count every database of the mapping at once (each database's own pre-flight check asks for
 * one more slot, sender and worker; together they need one each), plus the table-sync workers
 * of the initial copy, plus what others use on the server already.
 */
public final class PreparationChecklist {

    /** Room the destination's worker pool keeps for autovacuum's neighbours: parallel queries (8 by default). */
    static final int OTHER_WORKERS = 8;

    private static final Set<String> SOURCE_PRIVILEGES = Set.of("source.privileges.replication",
            "source.privileges.read", "source.privileges.publication");
    private static final Set<String> DESTINATION_PRIVILEGES = Set.of("destination.privileges",
            "destination.control_schema", "destination.maintenance_database", "destination.superuser_objects",
            "destination.owners");

    /** Checks the settings above already cover. */
    private static final Set<String> COVERED = Set.of("source.wal_level", "source.replication_slots",
            "source.wal_senders", "destination.replication_workers", "destination.replication_origins");

    private PreparationChecklist() {
    }

    public static Preparation of(MappingStatus status) {
        Mapping mapping = status.mapping();
        List<DatabaseStatus> databases = status.databases();
        int sync = syncWorkers(status.destination());
        return new Preparation(mapping.name(), databases.size(), List.of(
                source(mapping, status.source(), databases, sync),
                destination(mapping, status.destination(), databases, sync)));
    }

    private static int syncWorkers(ObservedInstance destination) {
        if (destination == null || destination.facts() == null) {
            return 2;
        }
        int setting = destination.facts().intSetting("max_sync_workers_per_subscription");
        return setting < 0 ? 2 : setting;
    }

    private static Server source(Mapping mapping, ObservedInstance observed, List<DatabaseStatus> databases,
            int sync) {
        Instance source = mapping.source();
        ServerFacts facts = observed == null ? null : observed.facts();
        String error = facts == null ? unread(observed) : null;
        int d = databases.size();
        long ourSlots = databases.stream().filter(db -> db.observed().slot().isPresent()).count();
        long ourSenders = databases.stream().filter(db -> db.observed().slot().map(ObservedDatabase.Slot::active)
                .orElse(false)).count();
        List<Item> restart = new ArrayList<>();
        String walLevel = facts == null ? null : facts.settings().get("wal_level");
        restart.add(new Item("ALTER SYSTEM SET wal_level = logical;", "logical replication decodes the WAL",
                walLevel == null ? null : "wal_level = " + walLevel, walLevel == null ? null : "logical".equals(walLevel)));
        restart.add(atLeast(facts, "max_replication_slots", facts == null ? 0 : facts.slotsUsed() - ourSlots, d, sync,
                "slot", "table-sync slots while tables are copied"));
        restart.add(atLeast(facts, "max_wal_senders", facts == null ? 0 : facts.walSendersUsed() - ourSenders, d, sync,
                "WAL sender", "table-sync connections while tables are copied"));
        List<Item> reload = List.of(walKeep(mapping, facts, databases));
        String hostType = Set.of("require", "verify-ca", "verify-full").contains(source.replication().sslmode())
                ? "hostssl" : "host";
        String dbs = databases.stream().map(DatabaseStatus::database).map(PreparationChecklist::hbaWord)
                .collect(Collectors.joining(","));
        boolean allConnected = !databases.isEmpty() && ourSenders == d;
        List<Item> hba = List.of(new Item(hostType + "  " + (dbs.isEmpty() ? "all" : dbs) + "  "
                + hbaWord(source.user()) + "  " + cidr(mapping.destination().host()) + "  scram-sha-256",
                "the destination's subscriptions connect to each database as " + source.user() + " (to "
                        + source.replication().address() + "); the address is the destination's as pgferry reaches "
                        + "it: use the address the destination connects from if it leaves by another (NAT, a "
                        + "managed service's egress)",
                allConnected ? "every database's subscription is connected" : null, allConnected ? true : null));
        List<Item> privileges = fromChecks(databases, SOURCE_PRIVILEGES::contains, facts == null ? null
                : sourcePrivilegeDefaults(source, facts));
        return new Server("source", source.name(), source.address(), error, groups(
                new Group("Settings that need a restart", "then restart the source", restart),
                new Group("Settings a reload applies", "then SELECT pg_reload_conf();", reload),
                new Group("pg_hba.conf", "add the line, then SELECT pg_reload_conf();", hba),
                new Group("Privileges of pgferry's user " + source.user(), "as a superuser or the objects' owner",
                        privileges),
                new Group("Other blocks", "each database's page lists its checks", fromChecks(databases,
                        id -> id.startsWith("source.") && !SOURCE_PRIVILEGES.contains(id) && !COVERED.contains(id),
                        null))));
    }

    private static Server destination(Mapping mapping, ObservedInstance observed, List<DatabaseStatus> databases,
            int sync) {
        Instance destination = mapping.destination();
        ServerFacts facts = observed == null ? null : observed.facts();
        String error = facts == null ? unread(observed) : null;
        int d = databases.size();
        long ours = databases.stream().filter(db -> db.observed().subscription().isPresent()).count();
        List<Item> restart = new ArrayList<>();
        long otherWorkers = facts == null ? 0 : facts.subscriptionWorkersUsed() - ours;
        restart.add(atLeast(facts, "max_logical_replication_workers", otherWorkers, d, sync, "apply worker",
                "table-sync workers while tables are copied"));
        long neededWorkers = Math.max(otherWorkers, 0) + d + sync;
        long poolNeeded = neededWorkers + 1 + OTHER_WORKERS;
        int pool = facts == null ? -1 : facts.intSetting("max_worker_processes");
        restart.add(new Item("ALTER SYSTEM SET max_worker_processes = " + Math.max(poolNeeded, (long) pool) + ";",
                "logical replication workers come from this pool: " + neededWorkers + " of them, the launcher, and "
                        + OTHER_WORKERS + " for parallel queries and extensions",
                pool < 0 ? null : "max_worker_processes = " + pool, pool < 0 ? null : pool >= poolNeeded));
        boolean origins18 = facts != null && facts.intSetting("max_active_replication_origins") >= 0;
        restart.add(atLeast(facts, origins18 ? "max_active_replication_origins" : "max_replication_slots",
                facts == null ? 0 : facts.replicationOriginsUsed() - ours, d, sync, "replication origin",
                "table-sync origins while tables are copied"));
        List<Item> privileges = fromChecks(databases, DESTINATION_PRIVILEGES::contains, facts == null ? null
                : destinationPrivilegeDefaults(destination, facts));
        return new Server("destination", destination.name(), destination.address(), error, groups(
                new Group("Settings that need a restart", "then restart the destination", restart),
                new Group("Privileges of pgferry's user " + destination.user(), "as a superuser or the objects' "
                        + "owner (managed services: docs/managed-services.md)", privileges),
                new Group("Other blocks", "each database's page lists its checks", fromChecks(databases,
                        id -> !id.startsWith("source.") && !DESTINATION_PRIVILEGES.contains(id)
                                && !COVERED.contains(id), null))));
    }

    private static List<Group> groups(Group... groups) {
        return List.of(groups).stream().filter(g -> !g.items().isEmpty()).toList();
    }

    private static String unread(ObservedInstance observed) {
        return observed == null ? "not looked at yet" : Objects.requireNonNullElse(observed.error(),
                "not looked at yet");
    }

    /**
     * {@code setting} must hold what others use now, one per database of the mapping, and the
     * initial copy's table-sync workers.
     */
    static Item atLeast(ServerFacts facts, String setting, long others, int databases, int sync, String one,
            String syncWhat) {
        long used = Math.max(others, 0);
        long needed = used + databases + sync;
        int current = facts == null ? -1 : facts.intSetting(setting);
        return new Item("ALTER SYSTEM SET " + setting + " = " + Math.max(needed, current) + ";",
                used + " in use by others + " + databases + " (one " + one + " per database of this mapping) + "
                        + sync + " " + syncWhat + " = " + needed,
                current < 0 ? null : setting + " = " + current, current < 0 ? null : current >= needed);
    }

    /**
     * The slots keep WAL from each database's copy until it streams. An advice, not a requirement:
     * -1 (no limit) never invalidates a slot but lets the WAL fill the disk.
     */
    private static Item walKeep(Mapping mapping, ServerFacts facts, List<DatabaseStatus> databases) {
        long bytes = databases.stream().flatMap(db -> db.observed().tables().stream())
                .map(ObservedDatabase.Table::sourceBytes).filter(Objects::nonNull).mapToLong(Long::longValue).sum();
        long rate = mapping.copyLimits().bytesPerSecond();
        String current = facts == null ? null : facts.settings().get("max_slot_wal_keep_size");
        String copyTime = rate <= 0 || bytes == 0 ? "the copy's time"
                : "about " + duration(bytes / rate) + " (" + mib(bytes) + " of tables at " + mib(rate) + "/s)";
        return new Item("ALTER SYSTEM SET max_slot_wal_keep_size = '<the WAL your applications write in "
                + (rate <= 0 || bytes == 0 ? "the copy's time" : duration(bytes / rate)) + ", twice over>';",
                "each slot keeps the source's WAL from the start of its database's copy until it streams: "
                        + copyTime + ". -1 (the default) never loses a slot but lets WAL fill the disk (the chart's "
                        + "WalRetainedGrowing alert watches it); a limit protects the disk but a slot that passes it "
                        + "is lost and its database starts over",
                current == null ? null : "max_slot_wal_keep_size = " + ("-1".equals(current) ? "-1 (no limit)"
                        : current + " MB"), null);
    }

    private static List<Item> sourcePrivilegeDefaults(Instance source, ServerFacts facts) {
        ServerFacts.UserRights user = facts.user();
        String role = quote(source.user());
        return List.of(
                new Item("ALTER ROLE " + role + " WITH REPLICATION;  -- Amazon RDS: GRANT rds_replication TO " + role
                        + ";", "the subscriptions stream as this user", user.superuser() ? "superuser"
                        : user.replication() ? "has REPLICATION" : "no REPLICATION",
                        user.superuser() || user.replication()),
                new Item("GRANT pg_read_all_data TO " + role + ";", "the copy reads every table and sequence",
                        user.superuser() ? "superuser" : user.readAllData() ? "member of pg_read_all_data"
                                : "not a member of pg_read_all_data (per-table grants may do: see the checks)",
                        user.superuser() || user.readAllData() ? true : null));
    }

    private static List<Item> destinationPrivilegeDefaults(Instance destination, ServerFacts facts) {
        ServerFacts.UserRights user = facts.user();
        String role = quote(destination.user());
        List<Item> items = new ArrayList<>();
        items.add(new Item("ALTER ROLE " + role + " WITH CREATEDB CREATEROLE;", "pgferry creates the databases and "
                + "the roles they need", user.superuser() ? "superuser" : user.createdb() ? "has CREATEDB"
                        : "no CREATEDB", user.superuser() || user.createdb()));
        if (facts.major() >= 16) {
            items.add(new Item("GRANT pg_create_subscription TO " + role + ";", "the subscriptions are created as "
                    + "this user", user.superuser() ? "superuser" : user.createSubscription()
                            ? "member of pg_create_subscription" : "not a member of pg_create_subscription",
                    user.superuser() || user.createSubscription()));
        }
        return items;
    }

    /**
     * The fixed grants, then each check of the kind that is not ok in some database, with its fix
     * (the checks know per-table privileges, owners, extensions); a warning is not ticked either way.
     */
    private static List<Item> fromChecks(List<DatabaseStatus> databases, Predicate<String> ids, List<Item> defaults) {
        List<Item> items = new ArrayList<>(defaults == null ? List.of() : defaults);
        for (DatabaseStatus database : databases) {
            for (Check check : database.checks()) {
                if (ids.test(check.id()) && check.level() != Check.Level.OK) {
                    // a warning does not stop the start: an advice, not a requirement
                    items.add(new Item(check.fix(), check.id() + " in " + database.database(), check.message(),
                            check.blocks() ? false : null));
                }
            }
        }
        return items;
    }

    /** A pg_hba.conf word: quoted when it is not plain lower-case letters, digits and underscores. */
    static String hbaWord(String word) {
        return word.matches("[a-z_][a-z0-9_]*") ? word : "\"" + word.replace("\"", "\"\"") + "\"";
    }

    /**
     * An address as pg_hba.conf wants it: one host's CIDR when it is an address; a host name as is
     * (pg_hba.conf matches it by reverse lookup; not resolved here: building the list does no I/O).
     */
    static String cidr(String host) {
        if (host.matches("[0-9.]+")) {
            return host + "/32";
        }
        if (host.contains(":")) {
            return host + "/128";
        }
        return host;
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + " min";
        }
        return (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
    }

    static String mib(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(java.util.Locale.ROOT, "%.0f MiB", Math.max(bytes / (double) (1L << 20), 1));
    }
}
