package dev.pgferry.pg;

import dev.pgferry.config.Instance;
import dev.pgferry.config.TlsFiles;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A libpq connection string (key='value' ...), as CREATE SUBSCRIPTION and pg_dump take it.
 * The password is left out unless asked for: the subscription needs it, tools get it from the
 * environment instead so that it never shows in a process list.
 */
public final class ConnInfo {

    private ConnInfo() {
    }

    /**
     * Where pgferry itself (and its pg_dump, pg_restore) connects, with the instance's TLS files
     * (paths on pgferry's machine, not secrets).
     */
    public static String of(Instance instance, String database, boolean withPassword) {
        StringBuilder conninfo = new StringBuilder(build(instance.host(), instance.port(), instance.sslmode(), instance,
                database, withPassword));
        TlsFiles tls = instance.tls();
        if (tls.rootCert() != null) {
            conninfo.append(" sslrootcert=").append(value(tls.rootCert().toString()));
        }
        if (tls.cert() != null) {
            conninfo.append(" sslcert=").append(value(tls.cert().toString()));
            conninfo.append(" sslkey=").append(value(tls.key().toString()));
        }
        return conninfo.toString();
    }

    /**
     * What the destination server connects to for a subscription: the instance's replication
     * address (PGFERRY_INSTANCES_&lt;N&gt;_REPLICATION_*, by default where pgferry connects), with the
     * password (a non-superuser's subscription must carry it).
     */
    public static String forSubscription(Instance source, String database) {
        Instance.ReplicationAddress to = source.replication();
        return build(to.host(), to.port(), to.sslmode(), source, database, true);
    }

    /**
     * A probe of the subscription's path that carries no secret: the replication address with a
     * password that is wrong on purpose and a connection timeout. The source refusing that
     * password proves the destination reached it and was asked for one.
     */
    public static String forProbe(Instance source, String database) {
        Instance.ReplicationAddress to = source.replication();
        return build(to.host(), to.port(), to.sslmode(), source, database, false)
                + " password=" + value(PROBE_PASSWORD) + " connect_timeout='10'";
    }

    /** Not a secret: the probe's wrong password, which the source refuses. */
    public static final String PROBE_PASSWORD = "pgferry-reachability-probe";

    private static String build(String host, int port, String sslmode, Instance instance, String database,
            boolean withPassword) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("host", host);
        parts.put("port", Integer.toString(port));
        parts.put("dbname", database);
        parts.put("user", instance.user());
        if (withPassword && instance.password().isPresent()) {
            parts.put("password", instance.password().reveal());
        }
        parts.put("sslmode", sslmode);
        parts.put("application_name", "pgferry");
        return parts.entrySet().stream()
                .map(e -> e.getKey() + "=" + value(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** Single-quoted with backslash escapes, as libpq's conninfo parser reads values. */
    static String value(String raw) {
        return "'" + raw.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
