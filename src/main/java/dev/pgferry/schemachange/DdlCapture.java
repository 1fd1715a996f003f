package dev.pgferry.schemachange;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.Jdbc;
import dev.pgferry.pg.PgConnector;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.reports.LastReports;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * DDL_CAPTURE: an event trigger in the source database that records each DDL statement the
 * applications run (its text, time, role and objects), so a database's history shows the
 * statements behind the schema changes pgferry finds in the catalogs. Installed once the database
 * streams, by a source user that is a superuser (only they may create event triggers); removed at
 * complete, and when the setting is turned off.
 *
 * <p>Everything it makes has the one deterministic name {@link ReplicationNames#ddlCapture}: a
 * schema holding the table {@code statements} and the function {@code capture()}, and the event
 * trigger. pgferry's catalog queries leave that schema out (it is no drift and no table to
 * publish), and so do its dumps of the source, event trigger included: another mapping copying
 * the same source database never carries it. The function can never fail the application's
 * statement (any error is swallowed), keeps no statement of the kinds that may hold a password
 * (user mappings, servers, subscriptions), and is SECURITY DEFINER with a fixed search_path, so
 * the applications' roles need no right on the table. Any password in a kept statement's text
 * (another statement of the same query string may set one) is replaced by asterisks first.
 */
@Component
public class DdlCapture {

    /** How many statements the history shows, newest first. */
    static final int SHOWN = 50;

    private final PgConnector connector;
    private final LastReports<List<CapturedStatement>> recent = new LastReports<>();

    public DdlCapture(PgConnector connector) {
        this.connector = connector;
    }

    /** One statement the applications ran on the source; {@code statement} null when it may hold a password. */
    public record CapturedStatement(Instant at, String role, String command, String objects, String statement) {
    }

    /**
     * A password in the statement's text (another statement of the same query string may set one:
     * ALTER ROLE ... PASSWORD '...'; or a connection string's password=...), as a SQL literal of a
     * regular expression: the capture keeps '********' in its place, so it never reaches the table.
     */
    static final String REDACT = "'(password\\s*=?\\s*)(''(?:[^'']|'''')*''|[^\\s,;)'']+)'";

    /** The statements that install the capture, in order; each may run again. */
    static List<String> installStatements(String name) {
        String schema = quote(name);
        return List.of(
                "CREATE SCHEMA IF NOT EXISTS " + schema,
                "REVOKE ALL ON SCHEMA " + schema + " FROM PUBLIC",
                "CREATE TABLE IF NOT EXISTS " + schema + ".statements (at timestamptz NOT NULL DEFAULT clock_timestamp(), "
                        + "role text NOT NULL DEFAULT session_user, command text NOT NULL, objects text, statement text)",
                "CREATE OR REPLACE FUNCTION " + schema + ".capture() RETURNS event_trigger LANGUAGE plpgsql "
                        + "SECURITY DEFINER SET search_path = pg_catalog AS $pgferry$\n"
                        + "DECLARE\n  touched text;\n  own boolean;\n"
                        + "BEGIN\n"
                        + "  SELECT string_agg(c.object_identity, ', '), coalesce(bool_or(c.schema_name = "
                        + literal(name) + "), false) INTO touched, own FROM pg_event_trigger_ddl_commands() c;\n"
                        + "  IF own THEN\n    RETURN;\n  END IF;\n"
                        + "  INSERT INTO " + schema + ".statements (command, objects, statement) VALUES (tg_tag, touched,\n"
                        + "    CASE WHEN tg_tag IN ('CREATE USER MAPPING', 'ALTER USER MAPPING', 'CREATE SERVER', "
                        + "'ALTER SERVER', 'IMPORT FOREIGN SCHEMA', 'CREATE SUBSCRIPTION', 'ALTER SUBSCRIPTION')\n"
                        + "         THEN NULL ELSE left(regexp_replace(current_query(), " + REDACT + ", '\\1********', "
                        + "'gi'), 10000) END);\n"
                        + "EXCEPTION WHEN OTHERS THEN\n  RETURN; -- never fail the application's statement\n"
                        + "END\n$pgferry$",
                "REVOKE ALL ON FUNCTION " + schema + ".capture() FROM PUBLIC",
                "DO $pgferry$ BEGIN IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = " + literal(name)
                        + ") THEN CREATE EVENT TRIGGER " + schema + " ON ddl_command_end EXECUTE FUNCTION " + schema
                        + ".capture(); END IF; END $pgferry$");
    }

    /** The statements that remove it: only pgferry's objects, by name; each may run again. */
    static List<String> removeStatements(String name) {
        String schema = quote(name);
        return List.of("DROP EVENT TRIGGER IF EXISTS " + schema,
                "DROP FUNCTION IF EXISTS " + schema + ".capture()",
                "DROP TABLE IF EXISTS " + schema + ".statements",
                "DROP SCHEMA IF EXISTS " + schema);
    }

    /** Installs the capture in the source database, in one transaction. */
    public void install(Mapping mapping, String database) throws ActionException {
        String name = ReplicationNames.ddlCapture(mapping.name(), database).name();
        try (Connection c = connector.act(mapping.source(), database)) {
            if (!Jdbc.over(c).sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").query(Boolean.class)
                    .single()) {
                throw new ActionException("DDL capture not installed in " + database + ": event triggers need a "
                        + "superuser on the source, and " + mapping.source().user() + " is none; connect as one, or set "
                        + "PGFERRY_MAPPINGS_" + mapping.name().toUpperCase(java.util.Locale.ROOT)
                        + "_DDL_CAPTURE=false (schema changes are still found from the catalogs)", false);
            }
            Jdbc.inOneTransaction(c, installStatements(name));
        } catch (SQLException e) {
            throw ActionException.from("install the DDL capture " + name + " in " + database, e);
        }
    }

    /** Removes the capture from the source database. */
    public void remove(Instance source, String mapping, String database) throws ActionException {
        String name = ReplicationNames.ddlCapture(mapping, database).name();
        try (Connection c = connector.act(source, database)) {
            Jdbc.inOneTransaction(c, removeStatements(name));
        } catch (SQLException e) {
            throw ActionException.from("remove the DDL capture " + name + " from " + database, e);
        }
        recent.forget(mapping, database);
    }

    /** Reads the newest statements (beside the loop, after a comparison); keeps the last read on failure. */
    void read(Mapping mapping, String database) {
        if (!mapping.schemaChanges().ddlCapture()) {
            return;
        }
        String name = ReplicationNames.ddlCapture(mapping.name(), database).name();
        try (Connection c = connector.observe(mapping.source(), database)) {
            var jdbc = Jdbc.over(c);
            if (!jdbc.sql("SELECT to_regclass(?) IS NOT NULL").param(quote(name) + ".statements").query(Boolean.class)
                    .single()) {
                return;
            }
            recent.keep(mapping.name(), database, jdbc.sql("SELECT at, role, command, objects, statement FROM "
                    + quote(name) + ".statements ORDER BY at DESC LIMIT " + SHOWN).query((rs, n) ->
                    new CapturedStatement(rs.getTimestamp("at").toInstant(), rs.getString("role"),
                            rs.getString("command"), rs.getString("objects"), rs.getString("statement"))).list());
        } catch (SQLException | DataAccessException e) {
            // the history is a convenience: the changes themselves come from the catalogs
            org.slf4j.LoggerFactory.getLogger(DdlCapture.class).debug("mapping {} database {}: DDL capture not read: "
                    + "{}", mapping.name(), database, e instanceof SQLException s ? PgErrors.describe(s) : e.toString());
        }
    }

    /** The newest captured statements of the database, newest first; empty when none were read. */
    public List<CapturedStatement> recent(String mapping, String database) {
        return recent.last(mapping, database).orElse(List.of());
    }
}
