package dev.pgferry.config;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a password command ({@code /bin/sh -c}) so that nothing it does can hold pgferry up past its
 * time limit: it reads an empty standard input (a command that prompts gets end-of-file, not a
 * wait), writes to a private file rather than a pipe (a background child that keeps the output
 * open does not keep pgferry reading), and past the limit it and every process it started are
 * killed. Its output is the password: it is never logged, nor shown when the command fails.
 */
final class PasswordCommand {

    private static final File NO_INPUT = new File("/dev/null");
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private PasswordCommand() {
    }

    /** The command's standard output, stripped; fails with why, without the output. */
    static String run(String command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("pgferry-password-", ".out",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Process process = new ProcessBuilder("/bin/sh", "-c", command)
                    .redirectInput(NO_INPUT)
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stopWithEverythingItStarted(process);
                throw new IOException("the password command did not finish in " + timeout.toSeconds() + " s and was "
                        + "stopped, with every process it started (does it wait for input, or for a network?)");
            }
            String password = Files.readString(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0 || password.isEmpty()) {
                // its output is not shown: it may hold a secret
                throw new IOException("the password command exited with status " + process.exitValue()
                        + (password.isEmpty() ? " and printed nothing" : "") + " (its output is not shown); run it "
                        + "by hand, as pgferry's user, to see why");
            }
            return password;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Kills the command and its descendants and waits, bounded, until they are gone: a kill is
     * delivered asynchronously, and the message says they were stopped.
     */
    private static void stopWithEverythingItStarted(Process process) throws InterruptedException {
        List<ProcessHandle> started = new ArrayList<>(process.descendants().toList());
        started.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        started.add(process.toHandle());
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (ProcessHandle handle : started) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                handle.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return; // a process not reaped by its new parent; it was sent SIGKILL all the same
            }
        }
    }
}
