package dev.pgferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made by the test with the host's openssl, and certificates it signs:
 * a server certificate for one DNS name and a client certificate. Keys are PKCS#8 PEM (what
 * {@code openssl genpkey} writes), readable by their owner only, as libpq demands.
 */
public final class TestCertificates {

    private final Path dir;
    private final String name;

    private TestCertificates(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** A new self-signed CA called {@code name}, its files under {@code dir}. */
    public static TestCertificates authority(Path dir, String name) throws IOException, InterruptedException {
        TestCertificates ca = new TestCertificates(dir, name);
        ca.key(name + "-ca.key", "RSA");
        openssl("req", "-x509", "-new", "-key", ca.path(name + "-ca.key"), "-days", "2", "-subj", "/CN=" + name
                + " test CA", "-out", ca.path(name + "-ca.crt"));
        return ca;
    }

    /** The CA's certificate: what a client's sslrootcert names. */
    public Path certificate() {
        return dir.resolve(name + "-ca.crt");
    }

    /** A server certificate (RSA) for {@code dnsName} only: {cert, key}. */
    public Path[] server(String file, String dnsName) throws IOException, InterruptedException {
        return signed(file, "RSA", "/CN=" + dnsName, "subjectAltName=DNS:" + dnsName);
    }

    /** A client certificate (EC key, so that pgferry must tell its driver the algorithm): {cert, key}. */
    public Path[] client(String file, String commonName) throws IOException, InterruptedException {
        return signed(file, "EC", "/CN=" + commonName, "extendedKeyUsage=clientAuth");
    }

    private Path[] signed(String file, String algorithm, String subject, String extension)
            throws IOException, InterruptedException {
        key(file + ".key", algorithm);
        openssl("req", "-new", "-key", path(file + ".key"), "-subj", subject, "-out", path(file + ".csr"));
        Path ext = dir.resolve(file + ".ext");
        Files.writeString(ext, extension + "\n");
        openssl("x509", "-req", "-in", path(file + ".csr"), "-CA", path(name + "-ca.crt"), "-CAkey",
                path(name + "-ca.key"), "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out",
                path(file + ".crt"));
        return new Path[] {dir.resolve(file + ".crt"), dir.resolve(file + ".key")};
    }

    private void key(String file, String algorithm) throws IOException, InterruptedException {
        if (algorithm.equals("EC")) {
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path(file));
        } else {
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path(file));
        }
        Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-------"));
    }

    private String path(String file) {
        return dir.resolve(file).toString();
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed (is the openssl package installed?): "
                    + output);
        }
    }
}
