package dev.pgferry.monitor;

import java.util.List;

/**
 * A database as pg_database shows it: encoding and locale (provider c libc, i icu, b builtin),
 * owner, privileges as "grantee:PRIVILEGE" ("*" when grantable), settings as "name=value", and
 * settings of roles in this database as "role|name=value". Lists are sorted. {@code oid} tells a
 * database from another of the same name created later (null when not read).
 */
public record DatabaseInfo(String encoding, String collate, String ctype, String localeProvider, String locale,
        String owner, List<String> privileges, List<String> settings, List<String> roleSettings, Long oid) {

    public DatabaseInfo {
        privileges = privileges == null ? List.of() : List.copyOf(privileges);
        settings = settings == null ? List.of() : List.copyOf(settings);
        roleSettings = roleSettings == null ? List.of() : List.copyOf(roleSettings);
    }

    /** Without the OID. */
    public DatabaseInfo(String encoding, String collate, String ctype, String localeProvider, String locale,
            String owner, List<String> privileges, List<String> settings, List<String> roleSettings) {
        this(encoding, collate, ctype, localeProvider, locale, owner, privileges, settings, roleSettings, null);
    }

    /** Encoding and locale only, for a database known by those alone. */
    public DatabaseInfo(String encoding, String collate, String ctype, String localeProvider, String locale) {
        this(encoding, collate, ctype, localeProvider, locale, null, List.of(), List.of(), List.of());
    }

    /** Whether owner, privileges and settings already match the source's. */
    public boolean configuredLike(DatabaseInfo source) {
        return java.util.Objects.equals(owner, source.owner) && privileges.equals(source.privileges)
                && settings.equals(source.settings) && roleSettings.equals(source.roleSettings);
    }

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
