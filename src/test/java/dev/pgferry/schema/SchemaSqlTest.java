package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaSqlTest {

    @Test
    void databaseGetsTheSourcesEncodingAndLocale() {
        assertThat(DatabaseCreator.createDatabaseSql("Shop \"EU\"", new DatabaseInfo("UTF8", "C", "C", "c", null)))
                .isEqualTo("CREATE DATABASE \"Shop \"\"EU\"\"\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' "
                        + "LC_CTYPE 'C' LOCALE_PROVIDER libc");
        assertThat(DatabaseCreator.createDatabaseSql("shop",
                new DatabaseInfo("UTF8", "en_US.UTF-8", "en_US.UTF-8", "i", "und-x-icu")))
                .endsWith("LOCALE_PROVIDER icu ICU_LOCALE 'und-x-icu'");
        assertThat(DatabaseCreator.createDatabaseSql("shop", new DatabaseInfo("UTF8", "C", "C", "b", "C.UTF-8")))
                .endsWith("LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8'");
    }

    @Test
    void listSettingsKeepTheirElementsAndOthersAreOneLiteral() {
        assertThat(GucValue.assignment("search_path=\"$user\", public, \"My Schema\""))
                .isEqualTo("search_path = '$user', 'public', 'My Schema'");
        assertThat(GucValue.assignment("work_mem=64MB")).isEqualTo("work_mem = '64MB'");
        assertThat(GucValue.assignment("application_name=it's")).isEqualTo("application_name = 'it''s'");
        assertThat(RoleSql.setting("App User", "statement_timeout=5s"))
                .isEqualTo("ALTER ROLE \"App User\" SET statement_timeout = '5s'");
    }

    @Test
    void databaseGetsOwnerPrivilegesAndSettingsAsOnTheSource() {
        DatabaseInfo source = new DatabaseInfo("UTF8", "C", "C", "c", null, "App Owner",
                List.of("App Owner:CONNECT", ":TEMPORARY", "PUBLIC:CREATE", "reader:CONNECT*"), List.of("work_mem=8MB"),
                List.of("reader|search_path=app, public"));
        // the empty grantee is the pseudo-role PUBLIC; a role named "PUBLIC" is a role like any other
        assertThat(DatabaseSql.configure("shop", source, List.of("", "PUBLIC", "postgres"), List.of("old")))
                .containsExactly("ALTER DATABASE \"shop\" OWNER TO \"App Owner\"",
                        "REVOKE ALL ON DATABASE \"shop\" FROM PUBLIC",
                        "REVOKE ALL ON DATABASE \"shop\" FROM \"PUBLIC\"",
                        "REVOKE ALL ON DATABASE \"shop\" FROM \"postgres\"",
                        "GRANT CONNECT ON DATABASE \"shop\" TO \"App Owner\"",
                        "GRANT TEMPORARY ON DATABASE \"shop\" TO PUBLIC",
                        "GRANT CREATE ON DATABASE \"shop\" TO \"PUBLIC\"",
                        "GRANT CONNECT ON DATABASE \"shop\" TO \"reader\" WITH GRANT OPTION",
                        "ALTER DATABASE \"shop\" RESET ALL",
                        "ALTER DATABASE \"shop\" SET work_mem = '8MB'",
                        "ALTER ROLE \"old\" IN DATABASE \"shop\" RESET ALL",
                        "ALTER ROLE \"reader\" IN DATABASE \"shop\" SET search_path = 'app', 'public'");
    }

    @Test
    void roleKeepsItsAttributesAndLeavesPrivilegedOnesToSuperusers() {
        RoleInfo role = new RoleInfo("App User", false, true, false, true, true, true, false, 5);
        assertThat(RoleSql.createRole(role, "SCRAM-SHA-256$4096:abc", true)).isEqualTo("CREATE ROLE \"App User\" "
                + "WITH LOGIN INHERIT CREATEDB NOCREATEROLE NOSUPERUSER REPLICATION NOBYPASSRLS CONNECTION LIMIT 5 "
                + "PASSWORD 'SCRAM-SHA-256$4096:abc'");
        assertThat(RoleSql.createRole(role, null, false)).isEqualTo("CREATE ROLE \"App User\" WITH LOGIN INHERIT "
                + "CREATEDB NOCREATEROLE CONNECTION LIMIT 5");
        assertThat(RoleSql.grantMembership("read'only", "App User")).isEqualTo("GRANT \"read'only\" TO \"App User\"");
        // an account meant to expire expires on the destination too
        RoleInfo expiring = new RoleInfo("temp", false, true, false, false, true, false, false, -1,
                "2031-01-01T10:00:00.000000Z");
        assertThat(RoleSql.createRole(expiring, null, false)).isEqualTo("CREATE ROLE \"temp\" WITH LOGIN INHERIT "
                + "NOCREATEDB NOCREATEROLE CONNECTION LIMIT -1 VALID UNTIL '2031-01-01T10:00:00.000000Z'");
    }
}
