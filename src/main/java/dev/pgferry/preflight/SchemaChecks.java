package dev.pgferry.preflight;

import static dev.pgferry.preflight.PrivilegeChecks.shortList;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mapping.TablesWithoutKey;
import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.monitor.SourceFacts;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What in the source database logical replication cannot carry, and whether the destination can hold it. */
final class SchemaChecks {

    private SchemaChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        in.databaseFacts().ifPresent(facts -> {
            checks.add(withoutKey(in, facts));
            checks.add(unlogged(facts));
            checks.add(largeObjects(in, facts));
            checks.add(extensions(in, facts));
        });
        if (in.mapping().content() == Mapping.Content.DATA_ONLY) {
            DataOnlyChecks.add(in, checks);
        }
        checks.add(encoding(in));
    }

    /**
     * Large objects are copied (with the snapshot, and again by the cutover step), never streamed;
     * pgferry's user must be able to read every one of them, or the copy would stop at the first.
     */
    static Check largeObjects(CheckInput in, SourceFacts facts) {
        SourceFacts.LargeObjects objects = facts.largeObjectReading();
        if (objects.objects() == 0) {
            return Check.ok("source.large_objects", "no large objects");
        }
        if (objects.unreadable() > 0) {
            return Check.block("source.large_objects", objects.unreadable() + " of " + objects.objects()
                    + " large object(s) in " + in.db() + " may not be read by pgferry's user on the source (first: "
                    + objects.firstUnreadable().stream().map(String::valueOf).collect(java.util.stream.Collectors
                            .joining(", ")) + "); pg_read_all_data does not cover large objects",
                    "Make pgferry's user a member of each owner (GRANT <owner> TO <user>), or run GRANT SELECT ON "
                            + "LARGE OBJECT <oid> TO <user> for each, then check again.");
        }
        return Check.ok("source.large_objects", objects.objects() + " large object(s): not streamed; "
                + (in.mapping().copyMethod() == dev.pgferry.config.CopyMethod.SNAPSHOT
                        ? "copied with the snapshot, and what changes later by the cutover step sync-large-objects"
                        : "copied by the cutover step sync-large-objects"));
    }

    /** Tables whose UPDATE and DELETE would fail on the source once published. */
    private static Check withoutKey(CheckInput in, SourceFacts facts) {
        List<String> missing = withoutKeyNames(facts);
        if (missing.isEmpty()) {
            return Check.ok("source.tables_without_key", "every table has a primary key or replica identity");
        }
        String seen = missing.size() + " table(s) without primary key or replica identity: " + shortList(missing);
        if (in.mapping().tablesWithoutKey() == TablesWithoutKey.EXCLUDE) {
            return Check.warn("source.tables_without_key", seen + "; left out of the publication as configured "
                    + "(their rows are not copied)", "Add a primary key or REPLICA IDENTITY on the source to "
                    + "include them.");
        }
        return Check.block("source.tables_without_key", seen + "; published, their UPDATE and DELETE would fail on "
                + "the source", "Add a primary key, or run ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX) on "
                + "the source, or set " + in.mappingVariable("TABLES_WITHOUT_KEY") + "=exclude to leave them out.");
    }

    static List<String> withoutKeyNames(SourceFacts facts) {
        return facts.relations().stream().filter(r -> !r.partitioned() && !r.unlogged() && !r.hasKey())
                .map(SourceFacts.Relation::qualifiedName).toList();
    }

    private static Check unlogged(SourceFacts facts) {
        List<String> unlogged = facts.relations().stream().filter(SourceFacts.Relation::unlogged)
                .map(SourceFacts.Relation::qualifiedName).toList();
        return unlogged.isEmpty() ? Check.ok("source.unlogged_tables", "no unlogged tables")
                : Check.warn("source.unlogged_tables", unlogged.size() + " unlogged table(s) are not replicated: "
                        + shortList(unlogged), "Make them logged (ALTER TABLE ... SET LOGGED) on the source, or copy "
                        + "their rows at cutover if you need them.");
    }

    private static Check extensions(CheckInput in, SourceFacts facts) {
        Set<String> missing = new TreeSet<>(facts.extensions());
        missing.removeAll(in.destination().facts().availableExtensions());
        return missing.isEmpty() ? Check.ok("destination.extensions", "every extension of " + in.db()
                + " is available on the destination")
                : Check.block("destination.extensions", "extension(s) used in " + in.db() + " but not available on "
                        + "the destination: " + String.join(", ", missing), "Install " + String.join(", ", missing)
                        + " on the destination server (its package, or allow it on the managed service).");
    }

    /** pgferry creates the database with the source's settings; an existing one must agree. */
    private static Check encoding(CheckInput in) {
        DatabaseInfo source = in.source().databases().get(in.db());
        DatabaseInfo destination = in.destination().databases().get(in.db());
        if (source == null) {
            return Check.ok("database.locale", "source database not seen");
        }
        if (destination == null) {
            return Check.ok("database.locale", "will be created with encoding " + source.encoding() + ", LC_COLLATE "
                    + source.collate() + ", LC_CTYPE " + source.ctype() + " as on the source");
        }
        if (!source.encoding().equals(destination.encoding())) {
            return Check.block("database.locale", "the destination database has encoding " + destination.encoding()
                    + ", the source " + source.encoding(), "Drop the destination database and let pgferry create it, "
                    + "or create it with ENCODING '" + source.encoding() + "'.");
        }
        String difference = source.localeDifference(destination);
        return difference.isEmpty() ? Check.ok("database.locale", "encoding and locale match")
                : Check.warn("database.locale", "locale differs between source and destination: " + difference
                        + "; text sorts and compares differently", "Recreate the destination database with the "
                        + "source's locale settings unless the difference is intended.");
    }
}
