package dev.pgferry.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What pg_restore prints on a failure, as it prints it, with the secrets a schema can hold. */
class ToolOutputTest {

    @Test
    void aUserMappingsOptionValuesAreRedactedAndTheErrorStillReads() {
        String output = """
                pg_restore: error: could not execute query: ERROR:  role "fdw_reader" does not exist
                Command was: CREATE USER MAPPING FOR fdw_reader SERVER remote OPTIONS (
                    password 'it''s s3cret (really)',
                    "user" 'remote_user'
                );
                """;
        String redacted = ToolOutput.redact(output);
        assertThat(redacted).doesNotContain("s3cret").doesNotContain("really").doesNotContain("remote_user")
                .contains("role \"fdw_reader\" does not exist")
                .contains("CREATE USER MAPPING FOR fdw_reader SERVER remote OPTIONS (")
                .contains("password '[redacted]'").contains("\"user\" '[redacted]'").endsWith(");\n");
    }

    @Test
    void aServersOptionsAreRedactedButWhatFollowsTheListIsNot() {
        String redacted = ToolOutput.redact("Command was: CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (token "
                + "'tok-123', host 'db.internal'); ALTER SERVER s OWNER TO app;");
        assertThat(redacted).isEqualTo("Command was: CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (token "
                + "'[redacted]', host '[redacted]'); ALTER SERVER s OWNER TO app;");
    }

    @Test
    void passwordsHashesAndConnectionStringsAreRedactedWherePgDumpPrintsThem() {
        assertThat(ToolOutput.redact("CREATE ROLE app LOGIN PASSWORD 'plain secret';"))
                .isEqualTo("CREATE ROLE app LOGIN PASSWORD '[redacted]';");
        assertThat(ToolOutput.redact("ALTER ROLE app PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2Vy';"))
                .doesNotContain("c2FsdA").doesNotContain("4096");
        assertThat(ToolOutput.redact("hash md5" + "0123456789abcdef0123456789abcdef here"))
                .isEqualTo("hash [redacted] here");
        assertThat(ToolOutput.redact("CREATE SUBSCRIPTION s CONNECTION 'host=h password=pw-1 user=u' PUBLICATION p"))
                .isEqualTo("CREATE SUBSCRIPTION s CONNECTION 'host=h password=[redacted] user=u' PUBLICATION p");
        assertThat(ToolOutput.redact("dbname=x sslpassword='a b\\' c' port=5"))
                .isEqualTo("dbname=x sslpassword=[redacted] port=5");
    }

    @Test
    void textWithoutSecretsIsLeftAlone() {
        String output = "pg_restore: error: could not execute query: ERROR:  relation \"public.t\" already exists\n"
                + "Command was: CREATE TABLE public.t (id integer, note text DEFAULT 'x'::text);";
        assertThat(ToolOutput.redact(output)).isEqualTo(output);
        assertThat(ToolOutput.redact("")).isEmpty();
        assertThat(ToolOutput.redact(null)).isNull();
    }
}
