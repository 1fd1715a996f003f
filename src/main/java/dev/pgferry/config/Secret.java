package dev.pgferry.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A password given inline or as a file (a mounted Kubernetes secret, read on every use so a
 * rotated secret takes effect). Never printed: {@code toString} masks it.
 */
public final class Secret {

    private static final Secret NONE = new Secret(null, null);

    private final String value;
    private final Path file;

    private Secret(String value, Path file) {
        this.value = value;
        this.file = file;
    }

    public static Secret of(String value) {
        return new Secret(value, null);
    }

    public static Secret fromFile(Path file) {
        return new Secret(null, file);
    }

    public static Secret none() {
        return NONE;
    }

    public boolean isPresent() {
        return value != null || file != null;
    }

    /** The secret's text, or null when none was configured. */
    public String reveal() {
        if (file == null) {
            return value;
        }
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read password file " + file, e);
        }
    }

    /** Where the secret comes from, for the configuration page: never its value. */
    public String source() {
        return file != null ? "from file " + file : value != null ? "set" : "none";
    }

    @Override
    public String toString() {
        return isPresent() ? "******" : "(none)";
    }
}
