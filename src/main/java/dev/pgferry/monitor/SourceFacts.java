package dev.pgferry.monitor;

import java.util.List;
import java.util.Set;

/**
 * What the pre-flight checks need from inside one source database: its tables with their keys
 * and rights, large objects, extensions, unreadable sequences, the roles it needs, and the
 * options of a publication already bearing pgferry's name.
 */
public record SourceFacts(List<Relation> relations, long largeObjects, Set<String> extensions,
        List<String> unreadableSequences, boolean canCreateInDatabase, Set<String> neededRoles,
        Boolean publicationViaRoot, java.util.Map<String, Owned> owners, List<String> superuserOnlyObjects,
        LargeObjects largeObjectReading) {

    /** The large objects pgferry's user may not read, with the first few of them (by oid). */
    public record LargeObjects(long objects, long unreadable, List<Long> firstUnreadable) {

        public LargeObjects {
            firstUnreadable = List.copyOf(firstUnreadable);
        }
    }

    public SourceFacts(List<Relation> relations, long largeObjects, Set<String> extensions,
            List<String> unreadableSequences, boolean canCreateInDatabase, Set<String> neededRoles,
            Boolean publicationViaRoot, java.util.Map<String, Owned> owners, List<String> superuserOnlyObjects) {
        this(relations, largeObjects, extensions, unreadableSequences, canCreateInDatabase, neededRoles,
                publicationViaRoot, owners, superuserOnlyObjects, new LargeObjects(largeObjects, 0, List.of()));
    }

    public SourceFacts {
        relations = List.copyOf(relations);
        owners = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(owners));
        superuserOnlyObjects = List.copyOf(superuserOnlyObjects);
    }

    /** Facts without owners or superuser-only objects (tests of other checks). */
    public SourceFacts(List<Relation> relations, long largeObjects, Set<String> extensions,
            List<String> unreadableSequences, boolean canCreateInDatabase, Set<String> neededRoles,
            Boolean publicationViaRoot) {
        this(relations, largeObjects, extensions, unreadableSequences, canCreateInDatabase, neededRoles,
                publicationViaRoot, java.util.Map.of(), List.of());
    }

    /** How many objects a role owns in the database, and the first few by name. */
    public record Owned(long objects, List<String> named) {
    }

    /** Only the tables (and their partitions) the mapping's scope moves. */
    public SourceFacts within(dev.pgferry.config.Scope scope) {
        if (scope.isAll()) {
            return this;
        }
        return new SourceFacts(relations.stream().filter(r -> scope.includes(r.rootSchema(), r.rootName())).toList(),
                largeObjects, extensions, unreadableSequences, canCreateInDatabase, neededRoles, publicationViaRoot,
                owners, superuserOnlyObjects, largeObjectReading);
    }

    /**
     * A table, partitioned table or partition. {@code rootSchema}/{@code rootName} name the
     * top-level table it is published through (itself unless it is a partition).
     */
    public record Relation(String schema, String name, boolean partitioned, boolean partition, String rootSchema,
            String rootName, boolean unlogged, boolean hasKey, boolean readable, boolean owned) {

        public String qualifiedName() {
            return schema + "." + name;
        }

        public boolean topLevel() {
            return !partition;
        }
    }
}
