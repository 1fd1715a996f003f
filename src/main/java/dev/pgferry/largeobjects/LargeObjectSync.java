package dev.pgferry.largeobjects;

import dev.pgferry.config.Mapping;
import dev.pgferry.largeobjects.LargeObjectPlan.LargeObject;
import dev.pgferry.largeobjects.LargeObjectPlan.Right;
import dev.pgferry.pg.Identifiers;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.reports.LastReports;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Makes a destination database's large objects equal to the source's: contents, owners and
 * rights. Logical replication does not carry {@code pg_largeobject}, so the snapshot copy runs
 * this in its exported snapshot, and the cutover step {@code sync-large-objects} runs it again on
 * the frozen source for whatever changed since. Each object's contents are compared by digests
 * computed on each server (only objects on both sides are read for them), so a second run copies
 * only what differs. The objects travel in pieces: pgferry holds at most {@link #BATCH} first
 * pieces of {@link #HEAD} bytes at a time, whatever their size.
 */
@Component
public class LargeObjectSync {

    private static final Logger log = LoggerFactory.getLogger(LargeObjectSync.class);

    /** The first piece of each object read in a batch: small objects travel whole, many at a time. */
    static final int HEAD = 256 * 1024;
    /** The pieces of an object larger than {@link #HEAD}, one at a time. */
    static final int PIECE = 4 * 1024 * 1024;
    /** Objects whose first pieces travel together. */
    static final int BATCH = 64;
    /** The pieces digested on the server: md5 of each, so only digests cross the network. */
    static final int DIGEST_PIECE = 64 * 1024 * 1024;

    static final String OBJECTS = """
            SELECT m.oid::bigint AS oid, pg_get_userbyid(m.lomowner) AS owner,
                   CASE WHEN m.oid = ANY (?::bigint[]::oid[])
                        THEN (SELECT octet_length(h.b) || ':' || md5(h.b) FROM lo_get(m.oid, 0, ?) AS h(b)) END AS head
            FROM pg_largeobject_metadata m ORDER BY m.oid""";
    static final String RIGHTS = """
            SELECT m.oid::bigint AS oid, pg_get_userbyid(a.grantor) AS grantor,
                   CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee,
                   a.privilege_type AS privilege, a.is_grantable AS grantable
            FROM pg_largeobject_metadata m, aclexplode(coalesce(m.lomacl, acldefault('L', m.lomowner))) a""";
    static final String DIGEST_PIECE_SQL = "SELECT octet_length(h.b) || ':' || md5(h.b) FROM lo_get(?::bigint::oid, ?, ?) AS h(b)";
    static final String HEADS = "SELECT o AS oid, lo_get(o::oid, 0, ?) AS b FROM unnest(?::bigint[]) AS o";
    static final String CREATE = "SELECT lo_from_bytea(o, b) FROM unnest(?::bigint[]::oid[], ?::bytea[]) AS t(o, b)";
    static final String READ_PIECE = "SELECT lo_get(?::bigint::oid, ?, ?)";
    static final String WRITE_PIECE = "SELECT lo_put(?::bigint::oid, ?, ?)";
    static final String UNLINK = "SELECT lo_unlink(o) FROM unnest(?::bigint[]::oid[]) AS o";

    private final PgConnector connector;
    private final Clock clock;
    private final LastReports<LargeObjectReport> last = new LastReports<>();

    public LargeObjectSync(PgConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /** What one pass did: objects on the source, copied (new or written again), unlinked, left as they were. */
    public record Outcome(long objects, long copied, long rewritten, long removed, long unchanged, long bytes) {

        @Override
        public String toString() {
            return objects + " on the source: " + copied + " copied (" + rewritten + " of them changed since), "
                    + removed + " removed, " + unchanged + " unchanged, " + bytes + " bytes";
        }
    }

    /** The cutover step's outcome for one database; error set when it could not finish. */
    public record LargeObjectReport(String database, Instant at, String actor, Outcome outcome, long millis,
            String error) {
    }

    /**
     * The cutover step: the source read in one repeatable-read transaction (its listing and the
     * contents agree), the destination written in batches.
     */
    public LargeObjectReport run(Mapping mapping, String database, String actor) {
        LargeObjectReport report = run(mapping.source(), mapping.destination(), database, actor, true);
        last.keep(mapping.name(), database, report);
        if (report.error() == null) {
            log.info("mapping {} database {}: large objects synchronized: {}", mapping.name(), database,
                    report.outcome());
        }
        return report;
    }

    /**
     * The rollback's way back: the large objects the applications created or changed on the
     * destination while it was theirs, copied to the source. Nothing is unlinked on the source (an
     * object the destination lacks may never have been copied there, and the source is not
     * pgferry's to empty); the report counts what was left.
     */
    public LargeObjectReport runBack(Mapping mapping, String database, String actor) {
        LargeObjectReport report = run(mapping.destination(), mapping.source(), database, actor, false);
        if (report.error() == null) {
            log.info("mapping {} database {}: large objects set back on the source: {}", mapping.name(), database,
                    report.outcome());
        }
        return report;
    }

    private LargeObjectReport run(dev.pgferry.config.Instance from, dev.pgferry.config.Instance to, String database,
            String actor, boolean unlink) {
        Instant start = clock.instant();
        try (Connection source = connector.act(from, database); Connection destination = connector.act(to, database)) {
            source.setAutoCommit(false);
            try (Statement s = source.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            Outcome outcome = sync(source, destination, unlink);
            source.commit();
            return new LargeObjectReport(database, clock.instant(), actor, outcome,
                    Duration.between(start, clock.instant()).toMillis(), null);
        } catch (SQLException | DataAccessException e) {
            return new LargeObjectReport(database, clock.instant(), actor, null,
                    Duration.between(start, clock.instant()).toMillis(), PgErrors.describe(e));
        }
    }

    /** The last report of that database since pgferry started, or null. */
    public LargeObjectReport last(String mapping, String database) {
        return last.lastOrNull(mapping, database);
    }

    /**
     * Makes the destination's large objects those {@code source} sees (in its transaction, if it
     * has one: the snapshot copy's exported snapshot). Commits on the destination as it goes; a
     * failure leaves what was committed, and the next pass goes on from there.
     */
    public static Outcome sync(Connection source, Connection destination) throws SQLException {
        return sync(source, destination, true);
    }

    /** The same; {@code unlink}: whether objects the source lacks are unlinked on the destination. */
    static Outcome sync(Connection source, Connection destination, boolean unlink) throws SQLException {
        boolean autoCommit = destination.getAutoCommit();
        destination.setAutoCommit(false);
        try (Statement s = destination.createStatement()) {
            s.execute("SET synchronous_commit = off");
        }
        try {
            List<Long> there = Jdbc.over(destination).sql("SELECT oid::bigint FROM pg_largeobject_metadata")
                    .query(Long.class).list();
            List<LargeObject> wanted = readable(() -> list(source, there), "read");
            List<LargeObject> present = list(destination, wanted.stream().map(LargeObject::oid).toList());
            LargeObjectPlan plan = LargeObjectPlan.of(wanted, present);
            unlink(destination, unlink ? concat(plan.remove(), plan.rewrite()) : plan.rewrite());
            long bytes = readable(() -> copy(source, destination, plan.copy()), "copy");
            destination.commit();
            return new Outcome(wanted.size(), plan.copy().size(), plan.rewrite().size(),
                    unlink ? plan.remove().size() : 0, plan.unchanged(), bytes);
        } catch (SQLException | RuntimeException e) {
            destination.rollback();
            throw e;
        } finally {
            destination.setAutoCommit(autoCommit);
        }
    }

    /** Every large object of one side, with its rights; digests only for {@code digested} (read there). */
    static List<LargeObject> list(Connection c, List<Long> digested) throws SQLException {
        JdbcClient jdbc = Jdbc.over(c);
        Map<Long, List<Right>> rights = new HashMap<>();
        jdbc.sql(RIGHTS).query(rs -> {
            rights.computeIfAbsent(rs.getLong("oid"), o -> new ArrayList<>()).add(new Right(rs.getString("grantor"),
                    rs.getString("grantee"), rs.getString("privilege"), rs.getBoolean("grantable")));
        });
        Map<Long, String[]> objects = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(OBJECTS)) {
            s.setArray(1, c.createArrayOf("bigint", digested.toArray(Long[]::new)));
            s.setInt(2, DIGEST_PIECE);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    objects.put(rs.getLong("oid"), new String[] {rs.getString("owner"), rs.getString("head")});
                }
            }
        }
        List<LargeObject> listed = new ArrayList<>(objects.size());
        for (var entry : objects.entrySet()) {
            String head = entry.getValue()[1];
            String digest = head != null && head.startsWith(DIGEST_PIECE + ":") ? wholeDigest(c, entry.getKey(), head)
                    : head;
            listed.add(new LargeObject(entry.getKey(), entry.getValue()[0],
                    rights.getOrDefault(entry.getKey(), List.of()), digest));
        }
        return listed;
    }

    /** An object larger than one digest piece: the digests of all its pieces, each made on the server. */
    private static String wholeDigest(Connection c, long oid, String head) throws SQLException {
        StringBuilder digest = new StringBuilder(head);
        try (PreparedStatement s = c.prepareStatement(DIGEST_PIECE_SQL)) {
            String piece = head;
            for (long offset = DIGEST_PIECE; piece.startsWith(DIGEST_PIECE + ":"); offset += DIGEST_PIECE) {
                s.setLong(1, oid);
                s.setLong(2, offset);
                s.setInt(3, DIGEST_PIECE);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    piece = rs.getString(1);
                }
                digest.append(',').append(piece);
            }
        }
        return digest.toString();
    }

    private static void unlink(Connection destination, List<Long> oids) throws SQLException {
        if (oids.isEmpty()) {
            return;
        }
        try (PreparedStatement s = destination.prepareStatement(UNLINK)) {
            s.setArray(1, destination.createArrayOf("bigint", oids.toArray(Long[]::new)));
            s.executeQuery().close();
        }
    }

    /** Copies the objects batch by batch (each committed with its owners and rights); the bytes copied. */
    private static long copy(Connection source, Connection destination, List<LargeObject> objects)
            throws SQLException {
        long bytes = 0;
        for (int from = 0; from < objects.size(); from += BATCH) {
            List<LargeObject> batch = objects.subList(from, Math.min(objects.size(), from + BATCH));
            Map<Long, byte[]> heads = heads(source, batch);
            try (PreparedStatement s = destination.prepareStatement(CREATE)) {
                s.setArray(1, destination.createArrayOf("bigint", heads.keySet().toArray(Long[]::new)));
                s.setArray(2, destination.createArrayOf("bytea", heads.values().toArray(byte[][]::new)));
                s.executeQuery().close();
            }
            for (var head : heads.entrySet()) {
                bytes += head.getValue().length;
                if (head.getValue().length == HEAD) {
                    bytes += rest(source, destination, head.getKey());
                }
            }
            ownersAndRights(destination, batch);
            destination.commit();
        }
        return bytes;
    }

    private static Map<Long, byte[]> heads(Connection source, List<LargeObject> batch) throws SQLException {
        Map<Long, byte[]> heads = new LinkedHashMap<>();
        try (PreparedStatement s = source.prepareStatement(HEADS)) {
            s.setInt(1, HEAD);
            s.setArray(2, source.createArrayOf("bigint", batch.stream().map(LargeObject::oid).toArray(Long[]::new)));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    heads.put(rs.getLong("oid"), rs.getBytes("b"));
                }
            }
        }
        return heads;
    }

    /** The rest of an object larger than its head, piece by piece; the bytes copied. */
    private static long rest(Connection source, Connection destination, long oid) throws SQLException {
        long offset = HEAD;
        try (PreparedStatement read = source.prepareStatement(READ_PIECE);
                PreparedStatement write = destination.prepareStatement(WRITE_PIECE)) {
            while (true) {
                read.setLong(1, oid);
                read.setLong(2, offset);
                read.setInt(3, PIECE);
                byte[] piece;
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    piece = rs.getBytes(1);
                }
                if (piece.length > 0) {
                    write.setLong(1, oid);
                    write.setLong(2, offset);
                    write.setBytes(3, piece);
                    write.executeQuery().close();
                }
                offset += piece.length;
                if (piece.length < PIECE) {
                    return offset - HEAD;
                }
            }
        }
    }

    /**
     * Owners and the owners' grants in one batch; grants made by another role are repeated as that
     * role (pgferry's user must be able to become it), with the object and the role named when not.
     */
    private static void ownersAndRights(Connection destination, List<LargeObject> batch) throws SQLException {
        try (Statement s = destination.createStatement()) {
            for (LargeObject object : batch) {
                for (String statement : LargeObjectPlan.ownerAndRights(object)) {
                    s.addBatch(statement);
                }
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new SQLException("could not give the copied large objects their owners and rights: "
                    + PgErrors.describe(e) + " (pgferry's user on the destination must be able to become each "
                    + "owner: GRANT <owner> TO <user>)", e.getSQLState(), e);
        }
        for (LargeObject object : batch) {
            for (var grants : LargeObjectPlan.grantsByOthers(object).entrySet()) {
                try (Statement s = destination.createStatement()) {
                    s.execute("SET LOCAL ROLE " + Identifiers.quote(grants.getKey()));
                    for (String grant : grants.getValue()) {
                        s.execute(grant);
                    }
                    s.execute("SET LOCAL ROLE NONE");
                } catch (SQLException e) {
                    throw new SQLException("large object " + object.oid() + ": its grant by role " + grants.getKey()
                            + " could not be repeated: " + PgErrors.describe(e) + " (pgferry's user on the "
                            + "destination must be able to become " + grants.getKey() + ")", e.getSQLState(), e);
                }
            }
        }
    }

    private interface Read<T> {
        T get() throws SQLException;
    }

    /** Names the fix when pgferry's source user may not read a large object. */
    private static <T> T readable(Read<T> read, String what) throws SQLException {
        try {
            return read.get();
        } catch (SQLException e) {
            if (PgErrors.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw new SQLException("could not " + what + " the large objects: " + PgErrors.describe(e)
                        + ". pgferry's user on the source must be able to read every large object: make it a "
                        + "member of each owner (GRANT <owner> TO <user>) or GRANT SELECT ON LARGE OBJECT <oid> TO "
                        + "<user> (check source.large_objects lists them)", e.getSQLState(), e);
            }
            throw e;
        }
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
