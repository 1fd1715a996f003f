package dev.pgferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.schema.FidelityReport.Difference;
import dev.pgferry.schema.SchemaComparison.SchemaObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaComparisonTest {

    @Test
    void listsMissingExtraAndDifferentObjects() {
        List<SchemaObject> source = List.of(new SchemaObject("column", "public.t.a", "integer"),
                new SchemaObject("column", "public.t.b", "text"), new SchemaObject("index", "public.t_pkey", "x"));
        List<SchemaObject> destination = List.of(new SchemaObject("column", "public.t.a", "bigint"),
                new SchemaObject("index", "public.t_pkey", "x"), new SchemaObject("column", "public.t.c", "text"));
        assertThat(SchemaComparison.compare(source, destination)).containsExactly(
                new Difference("column", "public.t.a", "integer", "bigint"),
                new Difference("column", "public.t.b", "text", null),
                new Difference("column", "public.t.c", null, "text"));
    }

    @Test
    void viewsCompareWithoutTheQualifiersThatVersionsPrintDifferently() {
        String on15 = " SELECT notes.id, \"My Notes\".body FROM reporting.notes WHERE (notes.severity = "
                + "'high'::reporting.severity);";
        String on18 = " SELECT id, body FROM reporting.notes WHERE (severity = 'high'::reporting.severity);";
        assertThat(SchemaComparison.compare(List.of(new SchemaObject("view", "reporting.v", on15)),
                List.of(new SchemaObject("view", "reporting.v", on18)))).isEmpty();
        assertThat(SchemaComparison.compare(List.of(new SchemaObject("view", "reporting.v", on15)),
                List.of(new SchemaObject("view", "reporting.v", on18.replace("'high'", "'low'"))))).hasSize(1);
        assertThat(SchemaComparison.normalize("view", "SELECT 1.5, t.* FROM s.t")).isEqualTo("SELECT 1.5, * FROM t");
    }
}
