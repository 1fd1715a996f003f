package dev.pgferry.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Finds and unpacks the PostgreSQL binaries of one major version.
 *
 * <p>Every io.zonky.test.postgres binaries jar holds the same resource name, so the build unpacks
 * each version's archive into its own folder ({@code target/pg-binaries/<major>/}, see pom.xml)
 * and this class extracts that archive once into a shared temporary folder readable by the
 * unprivileged user that runs the servers.
 */
final class EmbeddedPostgresBinaries {

    static final String BINARIES_PROPERTY = "pgferry.embedded.binaries";
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private EmbeddedPostgresBinaries() {
    }

    /** Returns the installation folder (holding bin/ and lib/) for that major version. */
    static synchronized Path install(int major, Path workRoot) throws IOException, InterruptedException {
        Path archive = archive(major);
        String key = major + "-" + Files.size(archive) + "-" + Files.getLastModifiedTime(archive).toMillis();
        Path target = workRoot.resolve("pg-" + key);
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        Path staging = Files.createTempDirectory(workRoot, "unpack-");
        Processes.run(List.of("tar", "-xJf", archive.toString(), "-C", staging.toString()), null);
        Processes.run(List.of("chmod", "-R", "a+rX", staging.toString()), null);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException alreadyThere) {
            // another JVM unpacked the same archive meanwhile: use theirs
            Processes.run(List.of("rm", "-rf", staging.toString()), null);
        }
        return target;
    }

    private static Path archive(int major) {
        String root = System.getProperty(BINARIES_PROPERTY, "target/pg-binaries");
        Path archive = Paths.get(root, Integer.toString(major), ARCHIVE).toAbsolutePath();
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("PostgreSQL " + major + " binaries not found at " + archive
                    + ": run './mvnw generate-resources' (it unpacks io.zonky.test.postgres binaries) or set -D"
                    + BINARIES_PROPERTY + " to the folder holding <major>/" + ARCHIVE);
        }
        return archive;
    }
}
