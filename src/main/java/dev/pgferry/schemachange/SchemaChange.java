package dev.pgferry.schemachange;

import dev.pgferry.config.Mapping.SchemaChangePolicy;
import dev.pgferry.replication.PublishedTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One change of a database's schema on the source that the destination lacks, as pgferry would
 * carry it over: how far it may go on its own ({@link Level}), the statements it would run on the
 * destination, the tables it would add to the publication (then refreshing the subscription so
 * they get their initial copy), and why. {@code id} is derived from the differences the change
 * covers, so it names the same change across ticks and restarts and a different one as soon as
 * the objects change again. {@code covers}: the differences (kind and name) it settles.
 */
public record SchemaChange(String id, Level level, String what, String object, List<Statement> statements,
        List<PublishedTable> publish, boolean refresh, String why, List<String> covers) {

    public SchemaChange {
        statements = statements.stream().sorted(Statement.ORDER).toList();
        publish = List.copyOf(publish);
        covers = List.copyOf(covers);
    }

    /** How far pgferry goes on its own with a change. */
    public enum Level {
        /** Additive and safe: applied under the default policy (SCHEMA_CHANGES=apply-safe). */
        SAFE,
        /** Changes or removes something: applied when an operator confirms it. */
        CONFIRM,
        /** Would lose data or cannot be followed by replication: the operator applies it by hand. */
        MANUAL
    }

    /**
     * One statement and when it runs among those of other changes applied together ({@code position}:
     * a new column's place in its table on the source, 0 otherwise): schemas
     * before sequences before tables before their columns, keys, indexes, views, routines,
     * triggers, comments and grants (a foreign key may point to a table another change creates).
     */
    public record Statement(int stage, int position, String sql) {

        /** By stage, then by position: new columns in the source's order, whichever change adds them. */
        public static final Comparator<Statement> ORDER = Comparator.comparingInt(Statement::stage)
                .thenComparingInt(Statement::position);

        public Statement(int stage, String sql) {
            this(stage, 0, sql);
        }
    }

    static final int SCHEMA = 10;
    static final int SEQUENCE = 30;
    static final int TABLE = 40;
    static final int PARTITION = 45;
    static final int COLUMN = 50;
    static final int OWNED_BY = 55;
    static final int KEY = 60;
    static final int FOREIGN_KEY = 65;
    static final int INDEX = 70;
    static final int VIEW = 75;
    static final int ROUTINE = 80;
    static final int TRIGGER = 85;
    static final int COMMENT = 90;
    static final int GRANT = 95;

    /** The statements as one script, in the order they run. */
    public String sql() {
        return statements.stream().map(s -> s.sql() + ";").collect(Collectors.joining("\n"));
    }

    /** Applied without an operator under {@code policy}. */
    public boolean automaticUnder(SchemaChangePolicy policy) {
        return level == Level.SAFE && policy == SchemaChangePolicy.APPLY_SAFE;
    }

    /** May be applied when an operator confirms it under {@code policy}. */
    public boolean confirmableUnder(SchemaChangePolicy policy) {
        return level != Level.MANUAL && policy != SchemaChangePolicy.DETECT_ONLY;
    }

    /** The id of the change that settles these differences (each "kind name source destination"). */
    static String idOf(List<String> differences) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            differences.stream().sorted().forEach(d -> digest.update((d + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
