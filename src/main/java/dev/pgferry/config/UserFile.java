package dev.pgferry.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Dashboard users from a mounted file (PGFERRY_USER_FILE), one per line: {@code name:role:hash}
 * with role viewer or operator and the password as a bcrypt hash (as {@code htpasswd -nbB}
 * prints it, with or without Spring's "{bcrypt}" prefix). Blank lines and lines starting with #
 * are skipped. Only hashes: the file never holds a password in clear text.
 */
final class UserFile {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]*");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private UserFile() {
    }

    record Parsed(List<User> users, List<String> problems) {
    }

    static Parsed read(Path file) {
        String var = "PGFERRY_USER_FILE=" + file;
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (MalformedInputException e) {
            return new Parsed(List.of(), List.of(var + ": not UTF-8 text; write one name:role:bcrypt-hash per line"));
        } catch (IOException e) {
            return new Parsed(List.of(), List.of(var + ": cannot be read (" + e.getClass().getSimpleName()
                    + "); mount the file there or unset the variable"));
        }
        List<User> users = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = var + " line " + (i + 1);
            String[] parts = line.split(":", 3);
            if (parts.length != 3) {
                // never echo the line: it may hold a password typed by mistake
                problems.add(where + ": expected name:role:bcrypt-hash (e.g. from htpasswd -nbB)");
                continue;
            }
            String name = parts[0].strip();
            String role = parts[1].strip().toUpperCase(Locale.ROOT);
            String hash = parts[2].strip();
            if (!NAME.matcher(name).matches()) {
                problems.add(where + ": user name '" + name + "' must be letters, digits, '.', '_', '@' or '-'");
                continue;
            }
            if (!role.equals("VIEWER") && !role.equals("OPERATOR")) {
                problems.add(where + ": role of " + name + " must be viewer or operator");
                continue;
            }
            String bare = hash.startsWith("{bcrypt}") ? hash.substring("{bcrypt}".length()) : hash;
            if (!BCRYPT.matcher(bare).matches()) {
                problems.add(where + ": the password of " + name + " is not a bcrypt hash; create one with "
                        + "htpasswd -nbB " + name + " '<password>'");
                continue;
            }
            users.add(new User(name, Secret.none(), "{bcrypt}" + bare, User.Role.valueOf(role)));
        }
        if (users.isEmpty() && problems.isEmpty()) {
            problems.add(var + ": no users in the file; write one name:role:bcrypt-hash per line");
        }
        return new Parsed(users, problems);
    }
}
