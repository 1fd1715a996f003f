package dev.pgferry.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.ownership.Ownership.Record;
import dev.pgferry.ownership.Ownership.State;
import org.junit.jupiter.api.Test;

/** Whose a destination database is, case by case: only a record naming its OID makes it pgferry's. */
class OwnershipTest {

    private static final long OID = 16400L;

    @Test
    void aMissingDatabaseIsAbsentAndMayBeCreated() {
        assertThat(Ownership.of(null, true, null, false, 0).state()).isEqualTo(State.ABSENT);
        assertThat(Ownership.of(null, false, new Record("created", OID), false, 0).state()).isEqualTo(State.ABSENT);
    }

    @Test
    void aRecordNamingThisVeryDatabaseMakesItPgferrysEmptyOrNot() {
        Ownership created = Ownership.of(OID, true, new Record("created", OID), false, 12);
        assertThat(created.state()).isEqualTo(State.OWNED);
        assertThat(created.empty()).isFalse();
        assertThat(created.detail()).contains("created by pgferry, recorded with OID 16400");
        assertThat(Ownership.of(OID, true, new Record("adopted", OID), false, 0).detail())
                .contains("handed over to pgferry (ADOPT_DATABASES)");
    }

    @Test
    void withoutARecordADatabaseIsForeignHoweverEmptyOrFullAndWhateverItHolds() {
        for (long objects : new long[] {0, 1, 500}) {
            Ownership o = Ownership.of(OID, true, null, false, objects);
            assertThat(o.state()).isEqualTo(State.FOREIGN);
            assertThat(o.detail()).contains("no ownership record").contains(objects + " user object(s)");
        }
    }

    @Test
    void aDatabaseDroppedAndCreatedAgainBySomeoneElseIsForeign() {
        Ownership o = Ownership.of(16999L, true, new Record("created", OID), false, 0);
        assertThat(o.state()).isEqualTo(State.FOREIGN);
        assertThat(o.detail()).contains("(OID 16400) is gone; this one (OID 16999");
    }

    @Test
    void anInterruptedCreationIsClaimedOnlyWhileTheDatabaseIsEmpty() {
        assertThat(Ownership.of(OID, true, new Record("created", null), false, 0).state()).isEqualTo(State.CLAIMABLE);
        Ownership full = Ownership.of(OID, true, new Record("created", null), false, 3);
        assertThat(full.state()).isEqualTo(State.FOREIGN);
        assertThat(full.detail()).contains("not which database it created");
    }

    @Test
    void aDatabaseHandedOverIsClaimedOnlyWhenEmpty() {
        assertThat(Ownership.of(OID, true, null, true, 0).state()).isEqualTo(State.CLAIMABLE);
        Ownership full = Ownership.of(OID, true, null, true, 2);
        assertThat(full.state()).isEqualTo(State.FOREIGN);
        assertThat(full.detail()).contains("only an empty database is handed over");
    }

    @Test
    void untrustedRecordsMakeEveryExistingDatabaseUnknown() {
        assertThat(Ownership.of(OID, false, new Record("created", OID), false, 0).state()).isEqualTo(State.UNKNOWN);
        assertThat(Ownership.of(OID, false, null, true, 0).state()).isEqualTo(State.UNKNOWN);
    }

    @Test
    void objectsNotCountedAreNeverTakenForEmpty() {
        Ownership o = Ownership.of(OID, true, null, true, -1);
        assertThat(o.empty()).isFalse();
        assertThat(o.state()).isEqualTo(State.FOREIGN);
    }
}
