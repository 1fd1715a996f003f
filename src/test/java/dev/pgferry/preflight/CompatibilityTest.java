package dev.pgferry.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.Scope;
import dev.pgferry.monitor.ColumnFacts;
import dev.pgferry.monitor.ColumnFacts.Column;
import dev.pgferry.preflight.Compatibility.Level;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CompatibilityTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "integer | bigint | true", "bigint | integer | false", "smallint | numeric | true",
        "character varying(10) | character varying(20) | true", "character varying(20) | character varying(10) | false",
        "character varying(10) | text | true", "text | character varying(10) | false",
        "numeric(10,2) | numeric(12,2) | true", "numeric(10,2) | numeric(10,1) | false",
        "integer | numeric(5,0) | false", "text | integer | false", "jsonb | jsonb | true",
    })
    void widening(String from, String to, boolean widens) {
        assertThat(Compatibility.widens(from.strip(), to.strip())).isEqualTo(widens);
    }

    @Test
    void verdictsPerTable() {
        ColumnFacts facts = new ColumnFacts(
                List.of(col("t", "id", "integer", true), col("t", "v", "text", false), col("gone", "id", "integer", true),
                        col("u", "id", "integer", true), col("w", "id", "bigint", true)),
                List.of(col("t", "id", "bigint", true), col("t", "v", "text", false), col("t", "extra", "text", false),
                        col("u", "id", "integer", true), col("u", "must", "text", true), col("w", "id", "integer", true)),
                Set.of(), Set.of("public.t", "public.u"));
        List<Compatibility.TableCompatibility> report = Compatibility.evaluate(facts, Scope.ALL);
        assertThat(report).extracting(Compatibility.TableCompatibility::level)
                .containsExactly(Level.SAFE, Level.BREAKING, Level.BREAKING, Level.NEEDS_ATTENTION);
        assertThat(report.get(1).reasons()).containsExactly("missing on the destination");
        assertThat(report.get(3).reasons()).hasSize(2);
    }

    private static Column col(String table, String name, String type, boolean notNull) {
        return new Column("public", table, name, type, notNull, false);
    }
}
