package dev.pgferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** Users from a mounted file: name:role:bcrypt-hash lines, every mistake named by its line. */
class UserFileTest {

    @TempDir
    Path dir;

    @Test
    void readsViewersAndOperatorsWithTheirHashes() throws Exception {
        String hash = new BCryptPasswordEncoder().encode("s3cret");
        // htpasswd -nbB writes $2y$; Spring's bcrypt checks it the same way
        String htpasswd = hash.replaceFirst("^\\$2a\\$", "\\$2y\\$");
        Path file = Files.writeString(dir.resolve("users"), "# dashboard users\n\nalice:operator:" + htpasswd
                + "\nbob:Viewer:{bcrypt}" + hash + "\n");
        UserFile.Parsed parsed = UserFile.read(file);
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.users()).extracting(User::name, User::role).containsExactly(
                org.assertj.core.groups.Tuple.tuple("alice", User.Role.OPERATOR),
                org.assertj.core.groups.Tuple.tuple("bob", User.Role.VIEWER));
        assertThat(parsed.users().getFirst().encodedPassword()).startsWith("{bcrypt}$2y$");
        assertThat(new BCryptPasswordEncoder().matches("s3cret",
                parsed.users().getFirst().encodedPassword().substring("{bcrypt}".length()))).isTrue();
    }

    @Test
    void namesEachBadLineWithoutEchoingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("users"), "carol:admin:x\ndave:operator:plaintext-pw\nno colons\n"
                + "bad name:viewer:x\n");
        UserFile.Parsed parsed = UserFile.read(file);
        assertThat(parsed.users()).isEmpty();
        assertThat(parsed.problems()).hasSize(4);
        assertThat(parsed.problems().get(0)).contains("line 1").contains("must be viewer or operator");
        assertThat(parsed.problems().get(1)).contains("line 2").contains("not a bcrypt hash").contains("htpasswd");
        assertThat(parsed.problems().get(2)).contains("line 3").contains("expected name:role:bcrypt-hash");
        assertThat(parsed.problems().get(3)).contains("line 4").contains("user name");
        assertThat(String.join("\n", parsed.problems())).doesNotContain("plaintext-pw");
    }

    @Test
    void aMissingOrEmptyFileIsNamed() throws Exception {
        assertThat(UserFile.read(dir.resolve("absent")).problems()).singleElement().asString()
                .contains("cannot be read").contains("absent");
        assertThat(UserFile.read(Files.writeString(dir.resolve("empty"), "# nobody\n")).problems())
                .singleElement().asString().contains("no users in the file");
    }
}
