package dev.pgferry.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the statements of a session out of the server's log, for statements that carry a secret
 * (CREATE and ALTER SUBSCRIPTION carry the source password in their connection string): no
 * statement logging, no logging of a failing statement's text, no slow-statement logging. These
 * parameters are a superuser's to set, or a role's that was granted SET on them (PostgreSQL 15+);
 * what the user may not set stays as the server has it, and the caller is told which.
 */
public final class QuietSession {

    private static final Map<String, String> QUIET = new LinkedHashMap<>();

    static {
        QUIET.put("log_statement", "none");
        QUIET.put("log_min_error_statement", "panic");
        QUIET.put("log_min_duration_statement", "-1");
        QUIET.put("log_min_duration_sample", "-1");
    }

    private static final String SETTABLE = "SELECT n FROM unnest(?::text[]) n "
            + "WHERE current_setting('is_superuser') = 'on' OR has_parameter_privilege(n, 'SET')";

    private QuietSession() {
    }

    /**
     * The quiet settings this connection's user may set, as name and value: for a tool's session
     * (PGOPTIONS), where setting one the user may not would refuse the connection.
     */
    public static Map<String, String> settable(Connection c) throws SQLException {
        Map<String, String> settable = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(SETTABLE)) {
            s.setArray(1, c.createArrayOf("text", QUIET.keySet().toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    settable.put(rs.getString(1), QUIET.get(rs.getString(1)));
                }
            }
        }
        return settable;
    }

    /** Quiets this session's logging; returns the parameters it could not set (empty: all were). */
    public static List<String> quiet(Connection c) throws SQLException {
        Map<String, String> settable = settable(c);
        List<String> notSet = new ArrayList<>();
        for (Map.Entry<String, String> setting : QUIET.entrySet()) {
            if (!settable.containsKey(setting.getKey())) {
                notSet.add(setting.getKey());
                continue;
            }
            try (PreparedStatement s = c.prepareStatement("SELECT set_config(?, ?, false)")) {
                s.setString(1, setting.getKey());
                s.setString(2, setting.getValue());
                s.execute();
            }
        }
        return notSet;
    }
}
