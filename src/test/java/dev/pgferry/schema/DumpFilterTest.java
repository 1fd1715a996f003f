package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.Scope;
import dev.pgferry.config.Scope.QualifiedName;
import dev.pgferry.monitor.SourceFacts.Relation;
import java.util.List;
import org.junit.jupiter.api.Test;

class DumpFilterTest {

    private static final List<Relation> RELATIONS = List.of(
            relation("public", "orders", "public", "orders"),
            relation("My Schema", "Events", "My Schema", "Events"),
            relation("My Schema", "Events 2026", "My Schema", "Events"),
            relation("public", "log", "public", "log"));

    @Test
    void everythingNeedsNoOption() {
        assertThat(DumpFilter.arguments(Scope.ALL, RELATIONS)).isEmpty();
    }

    @Test
    void selectedTablesBringTheirPartitionsQuotedLiterally() {
        Scope scope = new Scope(List.of(), List.of(), List.of(new QualifiedName("My Schema", "Events")), List.of());
        assertThat(DumpFilter.arguments(scope, RELATIONS)).containsExactly("--table=\"My Schema\".\"Events\"",
                "--table=\"My Schema\".\"Events 2026\"");
    }

    @Test
    void schemasAndExclusions() {
        Scope scope = new Scope(List.of("public"), List.of("staging"), List.of(),
                List.of(new QualifiedName("public", "log")));
        assertThat(DumpFilter.arguments(scope, RELATIONS)).containsExactly("--schema=\"public\"",
                "--exclude-schema=\"staging\"", "--exclude-table=\"public\".\"log\"");
        assertThat(scope.includes("public", "orders")).isTrue();
        assertThat(scope.includes("public", "log")).isFalse();
        assertThat(scope.includes("My Schema", "Events")).isFalse();
    }

    private static Relation relation(String schema, String name, String rootSchema, String rootName) {
        return new Relation(schema, name, false, !name.equals(rootName), rootSchema, rootName, false, true, true, true);
    }
}
