package dev.pgferry.monitor;

/** A database's encoding and locale as pg_database shows them; provider c (libc), i (icu) or b (builtin). */
public record DatabaseInfo(String encoding, String collate, String ctype, String localeProvider, String locale) {

    /** The differences in collation settings from another database, for a warning. */
    public String localeDifference(DatabaseInfo other) {
        StringBuilder text = new StringBuilder();
        append(text, "LC_COLLATE", collate, other.collate);
        append(text, "LC_CTYPE", ctype, other.ctype);
        append(text, "locale provider", localeProvider, other.localeProvider);
        append(text, "locale", locale, other.locale);
        return text.toString();
    }

    private static void append(StringBuilder text, String what, String mine, String theirs) {
        if (!java.util.Objects.equals(mine, theirs)) {
            text.append(text.isEmpty() ? "" : ", ").append(what).append(' ').append(mine).append(" vs ").append(theirs);
        }
    }
}
