package dev.pgferry.config;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import java.time.temporal.ChronoUnit;
import org.springframework.boot.convert.DataSizeUnit;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * The configuration tree exactly as bound from environment variables ({@code PGFERRY_...}) or
 * YAML. Values stay raw text where a wrong value must be reported with the variable's name;
 * {@link ConfigurationValidator} turns this into the validated {@link PgferryConfig}.
 */
@ConfigurationProperties("pgferry")
public record PgferryProperties(
        Map<String, InstanceProperties> instances,
        Map<String, MappingProperties> mappings,
        Map<String, UserProperties> users,
        @DefaultValue("5s") Duration pollInterval,
        @DefaultValue ReadyProperties ready,
        String pgBinDir,
        @DefaultValue("5s") Duration dashboardRefresh,
        @DefaultValue("6h") Duration exactCountInterval,
        String userFile,
        @DefaultValue("10000") int verifyChunkRows,
        @Name("notify") Map<String, NotifyProperties> webhooks) {

    public PgferryProperties {
        instances = instances == null ? Map.of() : new TreeMap<>(instances);
        webhooks = webhooks == null ? Map.of() : new TreeMap<>(webhooks);
        mappings = mappings == null ? Map.of() : new TreeMap<>(mappings);
        users = users == null ? Map.of() : new TreeMap<>(users);
    }

    /** One PostgreSQL server. {@code toString} never shows the password. */
    public record InstanceProperties(String host, @DefaultValue("5432") String port, String user, String password,
            String passwordFile, String passwordCommand, @DefaultValue("prefer") String sslmode,
            @DefaultValue("postgres") String maintenanceDatabase, String replicationHost, String replicationPort,
            String replicationSslmode, String sslrootcert, String sslcert, String sslkey) {

        @Override
        public String toString() {
            return "InstanceProperties[host=" + host + ", port=" + port + ", user=" + user + ", password="
                    + (password == null ? "unset" : "******") + ", passwordFile=" + passwordFile
                    + ", passwordCommand=" + (passwordCommand == null ? "unset" : "******") + ", sslmode="
                    + sslmode + ", maintenanceDatabase=" + maintenanceDatabase + ", replicationHost=" + replicationHost
                    + ", replicationPort=" + replicationPort + ", replicationSslmode=" + replicationSslmode
                    + ", sslrootcert=" + sslrootcert + ", sslcert=" + sslcert + ", sslkey=" + sslkey + "]";
        }
    }

    /** One source -> destination pair and the databases it moves (empty: all but templates). */
    public record MappingProperties(String source, String destination, String databases,
            @DefaultValue("plan") String mode, String copyMethod,
            @DefaultValue("block") String tablesWithoutKey, @DefaultValue("merge") String roleConflict,
            @DefaultValue("schema-and-data") String content, String schemas, String excludeSchemas, String tables,
            String excludeTables, @DefaultValue("false") String allowFreeze, @DefaultValue("4") String copyWorkers,
            @DefaultValue("100MB") String copyMaxRate, @DefaultValue("256MB") String copyMaintenanceWorkMem,
            String adoptDatabases, String freezeRoles,
            String freezeExcludeRoles, @DefaultValue("false") String allowReverse,
            @DefaultValue("apply-safe") String schemaChanges, @DefaultValue("false") String ddlCapture) {
    }

    /** A dashboard user. {@code toString} never shows the password. */
    public record UserProperties(String password, String passwordFile, @DefaultValue("viewer") String role) {

        @Override
        public String toString() {
            return "UserProperties[password=" + (password == null ? "unset" : "******") + ", passwordFile="
                    + passwordFile + ", role=" + role + "]";
        }
    }

    /** A webhook told about changes. {@code toString} shows neither the URL's path nor the secret. */
    public record NotifyProperties(String url, @DefaultValue("json") String format, String events, String secret) {

        @Override
        public String toString() {
            return "NotifyProperties[url=" + (url == null ? "unset" : "******") + ", format=" + format + ", events="
                    + events + ", secret=" + (secret == null ? "unset" : "******") + "]";
        }
    }

    /** Thresholds of the cutover-ready light. */
    public record ReadyProperties(@DefaultValue("16MB") @DataSizeUnit(DataUnit.BYTES) DataSize maxLagBytes,
            @DefaultValue("60s") @DurationUnit(ChronoUnit.SECONDS) Duration maxLagSeconds,
            @DefaultValue("30s") Duration stableFor) {
    }
}
