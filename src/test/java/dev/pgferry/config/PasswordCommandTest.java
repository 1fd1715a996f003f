package dev.pgferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Password commands that would hold pgferry up: one that prompts, one that leaves a background
 * child holding its output, one that never ends. The class-wide timeout only turns a hang into a
 * failure instead of a build that never ends; nothing here measures speed.
 */
@Timeout(120)
class PasswordCommandTest {

    @AfterEach
    void noSleeperLeft() {
        // a SIGKILL is delivered asynchronously: wait for the processes to go, within the bound
        await().atMost(Duration.ofSeconds(20)).untilAsserted(
                () -> assertThat(sleepers()).as("processes the commands started").isEmpty());
    }

    @Test
    void aCommandThatPromptsReadsNothingAndGoesOn() {
        assertThat(Secret.fromCommand("read answer; echo \"pw${answer}\"").reveal()).isEqualTo("pw");
    }

    @Test
    void aBackgroundChildThatKeepsTheOutputOpenDoesNotHoldPgferry() {
        try {
            assertThat(Secret.fromCommand("sleep 6007 & echo pw").reveal()).isEqualTo("pw");
        } finally {
            // the command's own child, not pgferry's business once the password is printed
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 6007"))
                    .forEach(ProcessHandle::destroyForcibly);
            // noSleeperLeft waits for it to be gone
        }
    }

    @Test
    void aCommandThatNeverEndsIsStoppedWithWhatItStartedAndItsFailureIsGivenUntilItIsTriedAgain() {
        Secret secret = Secret.fromCommand("sleep 6011 & sleep 6012; echo late", Duration.ofSeconds(2));
        UncheckedIOException first = catchThrowableOfType(UncheckedIOException.class, secret::reveal);
        assertThat(first.getCause().getMessage()).startsWith("the password command did not finish in 2 s and was "
                + "stopped, with every process it started");
        assertThat(sleepers()).isEmpty();
        // not run again at once: every tick and action of the instance would wait for it again
        UncheckedIOException again = catchThrowableOfType(UncheckedIOException.class, secret::reveal);
        assertThat(again.getCause().getMessage()).contains("did not finish in 2 s")
                .endsWith("tried again after " + Secret.COMMAND_RETRY.toSeconds() + " s");
    }

    private static List<String> sleepers() {
        return ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.matches(".*sleep 60(07|11|12).*")).toList();
    }
}
