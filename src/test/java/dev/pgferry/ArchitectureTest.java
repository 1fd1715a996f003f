package dev.pgferry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Web depends on the features, never the reverse; the planner stays free of I/O. */
@AnalyzeClasses(packages = "dev.pgferry", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule featuresDoNotDependOnWeb = noClasses().that().resideOutsideOfPackage("dev.pgferry.web..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgferry.web..");

    @ArchTest
    static final ArchRule plannerDoesNoIo = noClasses().that().haveSimpleName("Planner")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "java.io..", "java.nio..",
                    "org.springframework.jdbc..", "dev.pgferry.pg..");

    @ArchTest
    static final ArchRule onlyTheDemoUsesTheEmbeddedServers = noClasses()
            .that().resideOutsideOfPackages("dev.pgferry.demo..", "dev.pgferry.embedded..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgferry.embedded..");
}
