package dev.gatehouse.spring;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The starter is an adapter: it binds the core (through the servlet filter) and knows no other adapter. */
@AnalyzeClasses(packages = "dev.gatehouse.spring", importOptions = ImportOption.DoNotIncludeTests.class)
class SpringArchitectureTest {

    @ArchTest
    static final ArchRule spring_knowsNoOtherAdapter = noClasses().that().resideInAPackage("dev.gatehouse.spring..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.gatehouse.proxy..", "org.eclipse.jetty..")
            .because("the starter runs in whatever servlet container the application brings");
}
