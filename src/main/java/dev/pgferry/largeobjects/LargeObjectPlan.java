package dev.pgferry.largeobjects;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What makes the destination's large objects equal to the source's (pure: both listings in, the
 * work out). An object missing on the destination is copied; one whose contents, owner or rights
 * differ is written again whole (unlinked and copied, so its rights start from the owner's
 * default and are set exactly as on the source); one the source no longer has is unlinked;
 * the rest is left alone. Only objects of the destination database are touched, a database
 * pgferry created: nothing of anyone else's.
 */
public record LargeObjectPlan(List<LargeObject> copy, List<Long> rewrite, List<Long> remove, long unchanged) {

    public LargeObjectPlan {
        copy = List.copyOf(copy);
        rewrite = List.copyOf(rewrite);
        remove = List.copyOf(remove);
    }

    /**
     * One privilege on a large object as {@code aclexplode} gives it; {@code grantee} null for
     * PUBLIC.
     */
    public record Right(String grantor, String grantee, String privilege, boolean grantable) {
    }

    /**
     * A large object as one side lists it: its owner, its rights (the owner's default when it has
     * no ACL) and, where it was read, a digest of its contents (null when not read).
     */
    public record LargeObject(long oid, String owner, List<Right> rights, String digest) {

        public LargeObject {
            rights = List.copyOf(rights);
        }

        /** Whether its rights are the owner's default (all privileges, granted by the owner to the owner). */
        boolean defaultRights() {
            return rights.stream().allMatch(r -> owner.equals(r.grantor()) && owner.equals(r.grantee())
                    && !r.grantable());
        }
    }

    public static LargeObjectPlan of(List<LargeObject> source, List<LargeObject> destination) {
        Map<Long, LargeObject> there = new TreeMap<>();
        destination.forEach(o -> there.put(o.oid(), o));
        List<LargeObject> copy = new ArrayList<>();
        List<Long> rewrite = new ArrayList<>();
        long unchanged = 0;
        for (LargeObject wanted : source) {
            LargeObject present = there.remove(wanted.oid());
            if (present == null) {
                copy.add(wanted);
            } else if (same(wanted, present)) {
                unchanged++;
            } else {
                rewrite.add(wanted.oid());
                copy.add(wanted);
            }
        }
        return new LargeObjectPlan(copy, rewrite, List.copyOf(there.keySet()), unchanged);
    }

    private static boolean same(LargeObject wanted, LargeObject present) {
        return wanted.digest() != null && wanted.digest().equals(present.digest())
                && wanted.owner().equals(present.owner())
                && new java.util.HashSet<>(wanted.rights()).equals(new java.util.HashSet<>(present.rights()));
    }

    /**
     * The statements that give a just copied object its owner and rights, run by a superuser or a
     * member of the owner role (PostgreSQL records such grants as the owner's): the owner first,
     * then, unless the source has the default rights, the owner's own revoked and every grant of
     * the owner's repeated. Grants made by another role come from {@link #grantsByOthers}.
     */
    public static List<String> ownerAndRights(LargeObject object) {
        List<String> statements = new ArrayList<>();
        statements.add("ALTER LARGE OBJECT " + object.oid() + " OWNER TO " + quote(object.owner()));
        if (object.defaultRights()) {
            return statements;
        }
        statements.add("REVOKE ALL ON LARGE OBJECT " + object.oid() + " FROM " + quote(object.owner()));
        object.rights().stream().filter(r -> object.owner().equals(r.grantor()))
                .forEach(r -> statements.add(grant(object.oid(), r)));
        return statements;
    }

    /** Grants on the object made by roles other than its owner, by grantor: each is repeated as that role. */
    public static Map<String, List<String>> grantsByOthers(LargeObject object) {
        Map<String, List<String>> byGrantor = new TreeMap<>();
        object.rights().stream().filter(r -> !object.owner().equals(r.grantor()))
                .forEach(r -> byGrantor.computeIfAbsent(r.grantor(), g -> new ArrayList<>())
                        .add(grant(object.oid(), r)));
        return byGrantor;
    }

    static String grant(long oid, Right right) {
        return "GRANT " + privilege(right.privilege()) + " ON LARGE OBJECT " + oid + " TO "
                + (right.grantee() == null ? "PUBLIC" : quote(right.grantee()))
                + (right.grantable() ? " WITH GRANT OPTION" : "");
    }

    /** Large objects know SELECT and UPDATE only; anything else read from a catalog is refused, never run. */
    private static String privilege(String privilege) {
        return switch (Objects.requireNonNull(privilege)) {
            case "SELECT", "UPDATE" -> privilege;
            default -> throw new IllegalArgumentException("not a large object privilege: " + privilege);
        };
    }

    private static String quote(String role) {
        return dev.pgferry.pg.Identifiers.quote(role);
    }
}
