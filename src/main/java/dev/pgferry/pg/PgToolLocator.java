package dev.pgferry.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL client programs: the configured folder (PGFERRY_PG_BIN_DIR), else the newest
 * Debian-style /usr/lib/postgresql/<major>/bin, else the PATH. The newest matters: pg_dump
 * refuses servers newer than itself.
 */
final class PgToolLocator {

    private final String configuredDir;

    PgToolLocator(String configuredDir) {
        this.configuredDir = configuredDir;
    }

    Path find(String program) {
        if (configuredDir != null && !configuredDir.isBlank()) {
            return Path.of(configuredDir, program);
        }
        return newestDebianInstall().map(bin -> bin.resolve(program)).filter(Files::isExecutable)
                .orElse(Path.of(program));
    }

    private static Optional<Path> newestDebianInstall() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                    .map(p -> p.resolve("bin"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
