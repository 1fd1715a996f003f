package dev.pgferry.pg;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redacts what pg_dump and pg_restore print before anyone sees it. On an error they print the
 * statement that failed ("Command was: ..."), and a statement of a schema can carry secrets: a
 * user mapping's or a foreign server's options ({@code password '...'}), a role's password or
 * its hash, a connection string with {@code password=...}. Every value inside an OPTIONS list is
 * replaced, and every value that follows a word containing "password" or that looks like a
 * password hash; the rest of the text stays, so the error still says what went wrong.
 */
public final class ToolOutput {

    /** What a redacted value reads as. */
    public static final String REDACTED = "[redacted]";

    /** A quoted SQL literal ('...' with '' inside), optionally with the E prefix. */
    private static final String LITERAL = "[Ee]?'(?:[^']|'')*'";
    private static final Pattern OPTIONS = Pattern.compile("(?i)\\bOPTIONS\\s*\\(");
    private static final Pattern LITERAL_PATTERN = Pattern.compile(LITERAL);
    /** password 'x', PASSWORD 'x', sslpassword 'x' and the like, as in OPTIONS lists and CREATE ROLE. */
    private static final Pattern PASSWORD_LITERAL = Pattern.compile("(?i)(\\w*password\\w*\\s+)" + LITERAL);
    /** password=x in a connection string, quoted or not. */
    private static final Pattern PASSWORD_KEYWORD = Pattern.compile("(?i)(\\w*password\\w*\\s*=\\s*)(?:"
            + "'(?:[^'\\\\]|\\\\.)*'|[^\\s']+)");
    private static final Pattern HASHES = Pattern.compile("SCRAM-SHA-256\\$[^\\s']+|\\bmd5[0-9a-f]{32}\\b");

    private ToolOutput() {
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = redactOptionLists(text);
        redacted = PASSWORD_LITERAL.matcher(redacted).replaceAll(m -> Matcher.quoteReplacement(m.group(1)
                + "'" + REDACTED + "'"));
        redacted = PASSWORD_KEYWORD.matcher(redacted).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
        return HASHES.matcher(redacted).replaceAll(REDACTED);
    }

    /** Every literal inside OPTIONS ( ... ), up to the parenthesis that closes it (or the end). */
    private static String redactOptionLists(String text) {
        StringBuilder out = new StringBuilder(text.length());
        Matcher options = OPTIONS.matcher(text);
        int at = 0;
        while (options.find(at)) {
            out.append(text, at, options.end());
            int end = closingParenthesis(text, options.end());
            out.append(LITERAL_PATTERN.matcher(text.substring(options.end(), end)).replaceAll(
                    Matcher.quoteReplacement("'" + REDACTED + "'")));
            at = end;
        }
        return out.append(text, at, text.length()).toString();
    }

    /** Where the list that starts at {@code from} ends: its closing parenthesis, outside literals. */
    private static int closingParenthesis(String text, int from) {
        int depth = 1;
        boolean quoted = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return i;
            }
        }
        return text.length();
    }
}
