package dev.pgferry.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A password given inline, as a file (a mounted Kubernetes secret, read on every use so a
 * rotated secret takes effect) or as a command that prints one (a short-lived token of a cloud
 * provider's IAM: run again once its output is {@link #COMMAND_REUSE} old). Never printed:
 * {@code toString} masks it, and a failing command's output is not shown either.
 */
public final class Secret {

    /** How long a command's password is reused: cloud tokens live 15 minutes (AWS) or longer. */
    static final Duration COMMAND_REUSE = Duration.ofMinutes(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Secret NONE = new Secret(null, null, null);

    private final String value;
    private final Path file;
    private final String command;
    private String commandOutput;
    private Instant commandRanAt;

    private Secret(String value, Path file, String command) {
        this.value = value;
        this.file = file;
        this.command = command;
    }

    public static Secret of(String value) {
        return new Secret(value, null, null);
    }

    public static Secret fromFile(Path file) {
        return new Secret(null, file, null);
    }

    /** A command run by {@code /bin/sh -c}; its standard output, stripped, is the password. */
    public static Secret fromCommand(String command) {
        return new Secret(null, null, command);
    }

    public static Secret none() {
        return NONE;
    }

    public boolean isPresent() {
        return value != null || file != null || command != null;
    }

    /** The secret's text, or null when none was configured. */
    public String reveal() {
        if (command != null) {
            return fromCommand();
        }
        if (file == null) {
            return value;
        }
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read password file " + file, e);
        }
    }

    private synchronized String fromCommand() {
        Instant now = Instant.now();
        if (commandOutput != null && commandRanAt.plus(COMMAND_REUSE).isAfter(now)) {
            return commandOutput;
        }
        try {
            Process process = new ProcessBuilder("/bin/sh", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new UncheckedIOException(new IOException("the password command did not finish within "
                        + COMMAND_TIMEOUT.toSeconds() + " s"));
            }
            String password = new String(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0 || password.isEmpty()) {
                // its output is not shown: it may hold a secret
                throw new UncheckedIOException(new IOException("the password command exited with status "
                        + process.exitValue() + (password.isEmpty() ? " and printed nothing" : "")
                        + " (its output is not shown); run it by hand, as pgferry's user, to see why"));
            }
            commandOutput = password;
            commandRanAt = now;
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("could not run the password command: " + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while the password command ran", e));
        }
    }

    /**
     * Whether the secret comes from a command: a token that changes at every run (a cloud IAM
     * token) rather than a password that changes when someone rotates it.
     */
    public boolean isCommand() {
        return command != null;
    }

    /** Where the secret comes from, for the configuration page: never its value. */
    public String source() {
        return command != null ? "from a command" : file != null ? "from file " + file : value != null ? "set"
                : "none";
    }

    @Override
    public String toString() {
        return isPresent() ? "******" : "(none)";
    }
}
