package dev.pgferry.config;

import java.nio.file.Path;

/**
 * The files pgferry's own connections (JDBC, pg_dump, pg_restore) use for TLS: the CA bundle that
 * signed the server's certificate, and a client certificate with its key. Each may be absent.
 * They are paths on pgferry's machine: a subscription (which runs on the destination server)
 * never names them. {@code keyAlgorithm} (RSA, EC ...) is the key's, which pgjdbc must be told.
 */
public record TlsFiles(Path rootCert, Path cert, Path key, String keyAlgorithm) {

    /** No files: the drivers' defaults. */
    public static final TlsFiles NONE = new TlsFiles(null, null, null, null);

    /** Whether any file is set. */
    public boolean any() {
        return rootCert != null || cert != null || key != null;
    }
}
