package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.monitor.DatabaseInfo;
import dev.pgferry.monitor.ServerFacts.RoleInfo;
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
    void roleKeepsItsAttributesAndLeavesPrivilegedOnesToSuperusers() {
        RoleInfo role = new RoleInfo("App User", false, true, false, true, true, true, false, 5);
        assertThat(RoleSql.createRole(role, "SCRAM-SHA-256$4096:abc", true)).isEqualTo("CREATE ROLE \"App User\" "
                + "WITH LOGIN INHERIT CREATEDB NOCREATEROLE NOSUPERUSER REPLICATION NOBYPASSRLS CONNECTION LIMIT 5 "
                + "PASSWORD 'SCRAM-SHA-256$4096:abc'");
        assertThat(RoleSql.createRole(role, null, false)).isEqualTo("CREATE ROLE \"App User\" WITH LOGIN INHERIT "
                + "CREATEDB NOCREATEROLE CONNECTION LIMIT 5");
        assertThat(RoleSql.grantMembership("read'only", "App User")).isEqualTo("GRANT \"read'only\" TO \"App User\"");
    }
}
