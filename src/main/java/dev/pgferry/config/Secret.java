package dev.pgferry.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

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
    /** How long a failed command's reason is given before it is run again. */
    static final Duration COMMAND_RETRY = Duration.ofSeconds(30);
    private static final Secret NONE = new Secret(null, null, null);

    private final String value;
    private final Path file;
    private final String command;
    private final Duration commandTimeout;
    private String commandOutput;
    private Instant commandRanAt;
    private String commandFailure;
    private Instant commandFailedAt;

    private Secret(String value, Path file, String command) {
        this(value, file, command, COMMAND_TIMEOUT);
    }

    private Secret(String value, Path file, String command, Duration commandTimeout) {
        this.value = value;
        this.file = file;
        this.command = command;
        this.commandTimeout = commandTimeout;
    }

    public static Secret of(String value) {
        return new Secret(value, null, null);
    }

    public static Secret fromFile(Path file) {
        return new Secret(null, file, null);
    }

    /**
     * A command run by {@code /bin/sh -c}; its standard output, stripped, is the password. It must
     * finish within 30 s ({@link PasswordCommand}).
     */
    public static Secret fromCommand(String command) {
        return new Secret(null, null, command);
    }

    /** The same with another time limit (tests). */
    static Secret fromCommand(String command, Duration timeout) {
        return new Secret(null, null, command, timeout);
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
        // a command that failed (or hung until stopped) is not run again at once: every tick and
        // action of the instance would wait for it again
        if (commandFailure != null && commandFailedAt.plus(COMMAND_RETRY).isAfter(now)) {
            throw new UncheckedIOException(new IOException(commandFailure + "; tried again after "
                    + COMMAND_RETRY.toSeconds() + " s"));
        }
        try {
            String password = PasswordCommand.run(command, commandTimeout);
            commandOutput = password;
            commandRanAt = now;
            commandFailure = null;
            return password;
        } catch (IOException e) {
            commandFailure = e.getMessage();
            commandFailedAt = Instant.now();
            throw new UncheckedIOException(e);
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
