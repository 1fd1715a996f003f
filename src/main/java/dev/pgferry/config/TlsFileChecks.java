package dev.pgferry.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks an instance's TLS files (PGFERRY_INSTANCES_&lt;N&gt;_SSLROOTCERT, _SSLCERT, _SSLKEY) the way
 * both of pgferry's clients will read them: libpq (pg_dump, pg_restore) refuses a key that its
 * group or others may read, and pgjdbc reads a PEM key only as unencrypted PKCS#8 in a file named
 * {@code *.key} or {@code *.pem}. Finding this at startup beats a TLS error on the first connect.
 * The key's content is read to learn its algorithm and never shown.
 */
final class TlsFileChecks {

    private static final Set<String> VERIFYING = Set.of("verify-ca", "verify-full");

    private TlsFileChecks() {
    }

    static TlsFiles check(String var, String sslmode, String rootCert, String cert, String key, List<String> problems) {
        Path root = readable(var + "SSLROOTCERT", rootCert, problems);
        Path certFile = readable(var + "SSLCERT", cert, problems);
        Path keyFile = readable(var + "SSLKEY", key, problems);
        if ((cert == null || cert.isBlank()) != (key == null || key.isBlank())) {
            problems.add(var + "SSLCERT and " + var + "SSLKEY: set both (the client certificate and its key) or "
                    + "neither");
        }
        if (VERIFYING.contains(sslmode) && (rootCert == null || rootCert.isBlank())) {
            problems.add(var + "SSLMODE=" + sslmode + " needs " + var + "SSLROOTCERT: the path of the CA bundle "
                    + "that signed the server's certificate (your provider publishes it)");
        }
        boolean anyFile = !(blank(rootCert) && blank(cert) && blank(key));
        if (sslmode.equals("disable") && anyFile) {
            problems.add(var + "SSLMODE=disable with TLS files set: TLS is off, so they would not be used; set "
                    + var + "SSLMODE to verify-full (or verify-ca, require) or remove the files");
        }
        String algorithm = keyFile == null ? null : keyAlgorithm(var + "SSLKEY", keyFile, problems);
        return new TlsFiles(root, certFile, keyFile, algorithm);
    }

    private static Path readable(String variable, String value, List<String> problems) {
        if (blank(value)) {
            return null;
        }
        Path path = Path.of(value.strip());
        if (!Files.isRegularFile(path)) {
            problems.add(variable + "=" + value + ": no such file; mount it (Kubernetes: a Secret volume) or fix the "
                    + "path");
            return null;
        }
        if (!Files.isReadable(path)) {
            problems.add(variable + "=" + value + ": not readable by pgferry's user; make the file readable by it");
            return null;
        }
        return path;
    }

    /**
     * libpq's rule for the mode (0600 or less, 0640 or less when root owns the file), then the
     * PKCS#8 PEM form and the key's algorithm.
     */
    private static String keyAlgorithm(String variable, Path key, List<String> problems) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(key);
            String owner = Files.getOwner(key).getName();
            // a key of another owner may be group-readable only when root owns it (a Secret mounted with
            // a group), as libpq allows; pgferry's own key must be for its owner only
            boolean rootOwned = owner.equals("root") && !owner.equals(System.getProperty("user.name"));
            boolean others = mode.contains(PosixFilePermission.OTHERS_READ)
                    || mode.contains(PosixFilePermission.OTHERS_WRITE) || mode.contains(PosixFilePermission.OTHERS_EXECUTE);
            boolean groupMore = mode.contains(PosixFilePermission.GROUP_WRITE)
                    || mode.contains(PosixFilePermission.GROUP_EXECUTE);
            boolean groupRead = mode.contains(PosixFilePermission.GROUP_READ);
            if (others || groupMore || (groupRead && !rootOwned)) {
                problems.add(variable + "=" + key + ": readable by others (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "); pg_dump refuses such a key. "
                        + "Make it readable only by pgferry's user: chmod 600 (Kubernetes: the Helm chart mounts it with "
                        + "defaultMode 0440 and the pod's fsGroup)");
                return null;
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions to check (not a Linux file system): the clients say it if they mind
        }
        String pem;
        try {
            pem = Files.readString(key, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            problems.add(variable + "=" + key + ": cannot be read (" + e.getMessage() + ")");
            return null;
        }
        String name = key.getFileName().toString().toLowerCase(Locale.ROOT);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin || !(name.endsWith(".key") || name.endsWith(".pem"))) {
            problems.add(variable + "=" + key + ": not an unencrypted PKCS#8 PEM key in a file named *.key or *.pem, "
                    + "the one form both pg_dump and pgferry's driver read. Convert it: openssl pkcs8 -topk8 -nocrypt "
                    + "-in <key> -out client.key (cert-manager: privateKey.encoding: PKCS8)");
            return null;
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        try {
            for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
                try {
                    KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                    return algorithm;
                } catch (java.security.GeneralSecurityException e) {
                    // not this algorithm: try the next
                }
            }
        } finally {
            Arrays.fill(der, (byte) 0);
        }
        problems.add(variable + "=" + key + ": a PKCS#8 key of an algorithm pgferry cannot read (RSA, EC, Ed25519 "
                + "and Ed448 are read)");
        return null;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
