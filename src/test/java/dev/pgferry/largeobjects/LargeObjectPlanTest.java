package dev.pgferry.largeobjects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgferry.largeobjects.LargeObjectPlan.LargeObject;
import dev.pgferry.largeobjects.LargeObjectPlan.Right;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LargeObjectPlanTest {

    private static List<Right> owned(String owner) {
        return List.of(new Right(owner, owner, "SELECT", false), new Right(owner, owner, "UPDATE", false));
    }

    @Test
    void copiesWhatIsMissingRewritesWhatDiffersAndUnlinksWhatTheSourceNoLongerHas() {
        List<LargeObject> source = List.of(
                new LargeObject(1, "app", owned("app"), "5:aa"),
                new LargeObject(2, "app", owned("app"), "5:bb"),
                new LargeObject(3, "app", owned("app"), null),
                new LargeObject(4, "other", owned("other"), "5:dd"),
                new LargeObject(5, "app", List.of(new Right("app", null, "SELECT", false)), "5:ee"));
        List<LargeObject> destination = List.of(
                new LargeObject(1, "app", owned("app"), "5:aa"),
                new LargeObject(2, "app", owned("app"), "5:XX"),
                new LargeObject(4, "app", owned("app"), "5:dd"),
                new LargeObject(5, "app", owned("app"), "5:ee"),
                new LargeObject(9, "app", owned("app"), null));

        LargeObjectPlan plan = LargeObjectPlan.of(source, destination);

        assertThat(plan.copy()).extracting(LargeObject::oid).as("new, changed contents, owner, rights")
                .containsExactly(2L, 3L, 4L, 5L);
        assertThat(plan.rewrite()).containsExactly(2L, 4L, 5L);
        assertThat(plan.remove()).containsExactly(9L);
        assertThat(plan.unchanged()).isEqualTo(1);
    }

    @Test
    void rightsInAnotherOrderAreTheSame() {
        List<Right> rights = List.of(new Right("app", "app", "SELECT", false), new Right("app", "app", "UPDATE", false),
                new Right("app", "reader", "SELECT", true));
        LargeObjectPlan plan = LargeObjectPlan.of(List.of(new LargeObject(7, "app", rights, "1:x")),
                List.of(new LargeObject(7, "app", rights.reversed(), "1:x")));
        assertThat(plan.copy()).isEmpty();
        assertThat(plan.unchanged()).isEqualTo(1);
    }

    @Test
    void anObjectWithTheDefaultRightsOnlyGetsItsOwner() {
        assertThat(LargeObjectPlan.ownerAndRights(new LargeObject(42, "App \"Owner\"", owned("App \"Owner\""), null)))
                .containsExactly("ALTER LARGE OBJECT 42 OWNER TO \"App \"\"Owner\"\"\"");
    }

    @Test
    void otherRightsAreSetExactlyWithTheOwnersGrantsAsTheOwnerAndOthersAsTheirGrantor() {
        LargeObject object = new LargeObject(42, "app", List.of(new Right("app", "app", "SELECT", false),
                new Right("app", "Reader ö", "SELECT", true), new Right("app", "writer", "UPDATE", false),
                new Right("Reader ö", null, "SELECT", false)), null);

        assertThat(LargeObjectPlan.ownerAndRights(object)).containsExactly(
                "ALTER LARGE OBJECT 42 OWNER TO \"app\"",
                "REVOKE ALL ON LARGE OBJECT 42 FROM \"app\"",
                "GRANT SELECT ON LARGE OBJECT 42 TO \"app\"",
                "GRANT SELECT ON LARGE OBJECT 42 TO \"Reader ö\" WITH GRANT OPTION",
                "GRANT UPDATE ON LARGE OBJECT 42 TO \"writer\"");
        assertThat(LargeObjectPlan.grantsByOthers(object))
                .isEqualTo(Map.of("Reader ö", List.of("GRANT SELECT ON LARGE OBJECT 42 TO PUBLIC")));
    }

    @Test
    void aPrivilegeLargeObjectsDoNotHaveIsRefusedNotRun() {
        LargeObject object = new LargeObject(1, "app", List.of(new Right("app", "x", "DELETE; DROP TABLE t", false)),
                null);
        assertThatThrownBy(() -> LargeObjectPlan.ownerAndRights(object)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a large object privilege");
    }
}
