package dev.gatehouse.proxy;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The proxy is an adapter: it depends on the core, knows no other adapter, and its packages have no cycles. */
@AnalyzeClasses(packages = "dev.gatehouse.proxy", importOptions = ImportOption.DoNotIncludeTests.class)
class ProxyArchitectureTest {

    @ArchTest
    static final ArchRule proxy_knowsNoOtherAdapter = noClasses().that().resideInAPackage("dev.gatehouse.proxy..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.gatehouse.spring..", "dev.gatehouse.servlet..",
                    "jakarta.servlet..", "org.springframework..")
            .because("the proxy is a Jetty handler on the core pipeline, not a servlet container nor a Spring app");

    @ArchTest
    static final ArchRule proxyPackages_areFreeOfCycles = slices().matching("dev.gatehouse.proxy.(**)").should().beFreeOfCycles();
}
