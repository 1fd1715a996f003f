package dev.pgferry.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one definition of "the application's schema" that every catalog query of pgferry's uses. */
class CaptureObjectsTest {

    @Test
    void queriesSayUserSchemaAndNotCaptureOnceAndGetTheWholeCondition() {
        assertThat(CaptureObjects.expand("WHERE USER_SCHEMA(n.nspname) AND NOT_CAPTURE(e.evtname) ORDER BY 1"))
                .isEqualTo("WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname "
                        + "!~ '^pgferry_.+_ddl_[0-9a-f]{8}$' AND e.evtname !~ '^pgferry_.+_ddl_[0-9a-f]{8}$' ORDER BY 1");
        assertThat(CaptureObjects.isTocEntry("3144; 3466 16476 EVENT TRIGGER - pgferry_m_shop_ddl_1a2b3c4d postgres"))
                .isTrue();
        assertThat(CaptureObjects.isTocEntry("3145; 3466 16477 EVENT TRIGGER - \"Audit DDL\" postgres")).isFalse();
    }
}
