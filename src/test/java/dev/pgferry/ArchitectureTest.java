package dev.pgferry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Web depends on the features, never the reverse, and queries no server; the feature packages
 * are free of cycles; the planner and the cutover checklist, and every class of pgferry's they
 * use, stay free of I/O.
 */
@AnalyzeClasses(packages = "dev.pgferry", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /**
     * The classes that decide: pure functions of what was observed (the planner of the steps,
     * the cutover checklist's states, and the classification of schema changes).
     */
    private static final Set<String> PLANNER = Set.of("dev.pgferry.reconcile.Planner",
            "dev.pgferry.reconcile.CreationSteps", "dev.pgferry.reconcile.ReverseSteps",
            "dev.pgferry.cutover.CutoverChecklist", "dev.pgferry.cutover.RollbackReadiness",
            "dev.pgferry.schemachange.ChangeClassifier", "dev.pgferry.schemachange.RelationRules",
            "dev.pgferry.schemachange.ColumnRules", "dev.pgferry.schemachange.ObjectRules",
            "dev.pgferry.schemachange.ClassificationState", "dev.pgferry.schemachange.Ddl");

    @ArchTest
    static final ArchRule featuresDoNotDependOnWeb = noClasses().that().resideOutsideOfPackage("dev.pgferry.web..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgferry.web..");

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.pgferry.(*)..").should()
            .beFreeOfCycles();

    /**
     * The planner and every class of pgferry's it uses: no database access, files, processes or
     * network. Configuration values are read, never revealed ({@link #thePlannerRevealsNoSecret});
     * quoting identifiers ({@code pg.Identifiers}) and encoding URLs ({@code URLEncoder}) are pure.
     */
    @ArchTest
    static void thePlannerAndWhatItUsesDoNoIo(JavaClasses classes) {
        Set<String> planner = classes.stream().filter(c -> PLANNER.contains(c.getName()))
                .flatMap(c -> c.getDirectDependenciesFromSelf().stream().map(Dependency::getTargetClass))
                .map(JavaClass::getBaseComponentType)
                .filter(c -> c.getPackageName().startsWith("dev.pgferry")
                        && !c.getPackageName().startsWith("dev.pgferry.config"))
                .map(JavaClass::getName).collect(Collectors.toSet());
        planner.addAll(PLANNER);
        DescribedPredicate<JavaClass> io = DescribedPredicate.describe("do I/O (JDBC, files, processes, network)",
                (JavaClass c) -> c.getPackageName().startsWith("java.sql") || c.getPackageName().startsWith("java.io")
                        || c.getPackageName().startsWith("java.nio.file")
                        || c.getPackageName().startsWith("java.nio.channels")
                        || c.getPackageName().startsWith("java.net")
                        && !c.getName().equals("java.net.URLEncoder")
                        || c.getName().equals(ProcessBuilder.class.getName())
                        || c.getPackageName().startsWith("org.springframework.jdbc")
                        || c.getPackageName().startsWith("dev.pgferry.pg")
                        && !c.getName().equals("dev.pgferry.pg.Identifiers"));
        noClasses().that(DescribedPredicate.describe("are the planner, the cutover checklist or classes of "
                        + "pgferry's they use",
                        (JavaClass c) -> planner.contains(c.getName())))
                .should().dependOnClassesThat(io)
                .check(classes);
    }

    @ArchTest
    static final ArchRule thePlannerRevealsNoSecret = noClasses().that().haveFullyQualifiedName(
            "dev.pgferry.reconcile.Planner").or().haveFullyQualifiedName("dev.pgferry.reconcile.CreationSteps")
            .should().callMethod("dev.pgferry.config.Secret", "reveal");

    /** Pages and the API answer from memory (the status board and the reports kept beside it). */
    @ArchTest
    static final ArchRule theWebLayerQueriesNoServer = noClasses().that().resideInAPackage("dev.pgferry.web..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.springframework.jdbc..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pgferry.pg.PgConnector")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pgferry.cutover.FreezeFacts");

    @ArchTest
    static final ArchRule onlyTheDemoUsesTheEmbeddedServers = noClasses()
            .that().resideOutsideOfPackages("dev.pgferry.demo..", "dev.pgferry.embedded..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgferry.embedded..");
}
