package dev.gatehouse;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of {@code filter-core}, from the bottom:
 * <ol>
 * <li>{@code net}: addresses, CIDRs, forwarded headers; depends on nothing of ours;</li>
 * <li>{@code api}: what a request is and what is decided (request facts, signals, decision, verdict) and
 *     the extension points (engine, enricher, scorer, policy); depends on {@code net} only;</li>
 * <li>the engine ({@code engine}, {@code engine.embedded}, {@code crawler}) and the policy ({@code policy},
 *     {@code ratelimit}), side by side: neither knows the other;</li>
 * <li>the pipeline and its assembly (the root package: {@code Gatehouse}, {@code StandardEngine}, the
 *     JSON and refusal writers), then the servlet adapter ({@code servlet});</li>
 * </ol>
 * no package cycles, and nothing in the core knows the adapters (Jetty, Spring) that depend on it.
 */
@AnalyzeClasses(packages = "dev.gatehouse", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] ENGINE = {"dev.gatehouse.engine..", "dev.gatehouse.crawler.."};
    private static final String[] ADAPTERS = {"dev.gatehouse.proxy..", "dev.gatehouse.spring..", "org.eclipse.jetty..",
            "org.springframework.."};

    @ArchTest
    static final ArchRule net_dependsOnNothingOfOurs = noClasses().that().resideInAPackage("dev.gatehouse.net..")
            .should().dependOnClassesThat(resideInAPackage("dev.gatehouse..").and(not(resideInAPackage("dev.gatehouse.net.."))))
            .because("addresses and headers are the bottom layer");

    @ArchTest
    static final ArchRule api_dependsOnNetOnly = classes().that().resideInAPackage("dev.gatehouse.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.gatehouse.api..", "dev.gatehouse.net..", "java..")
            .because("everything else depends on the API, so it depends on nothing else");

    @ArchTest
    static final ArchRule engine_knowsNothingOfPolicyPipelineOrAdapters = noClasses().that().resideInAnyPackage(ENGINE)
            .should().dependOnClassesThat().resideInAnyPackage("dev.gatehouse", "dev.gatehouse.policy..",
                    "dev.gatehouse.ratelimit..", "dev.gatehouse.servlet..", "jakarta.servlet..", "org.eclipse.jetty..",
                    "org.springframework..")
            .because("the engine finds signals; what is done with them is the policy's and the adapters' business");

    @ArchTest
    static final ArchRule policy_knowsNothingOfEnginePipelineOrAdapters = noClasses()
            .that().resideInAnyPackage("dev.gatehouse.policy..", "dev.gatehouse.ratelimit..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.gatehouse", "dev.gatehouse.engine..",
                    "dev.gatehouse.crawler..", "dev.gatehouse.servlet..", "jakarta.servlet..", "org.eclipse.jetty..",
                    "org.springframework..")
            .because("a policy reads signals through the API, whichever engine produced them");

    @ArchTest
    static final ArchRule servletApi_onlyInTheServletAdapter = noClasses().that().resideOutsideOfPackage("dev.gatehouse.servlet..")
            .should().dependOnClassesThat().resideInAPackage("jakarta.servlet..")
            .because("the pipeline serves the proxy too, which has no servlet container");

    @ArchTest
    static final ArchRule core_neverDependsOnAdapters = noClasses().that().resideInAPackage("dev.gatehouse..")
            .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS)
            .because("adapters depend on the core, never the reverse");

    /** One slice per package, the root package included (a pattern like {@code dev.gatehouse.(*)..} would leave it out). */
    private static final SliceAssignment EACH_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            return name.equals("dev.gatehouse") || name.startsWith("dev.gatehouse.") ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "each package of dev.gatehouse";
        }
    };

    @ArchTest
    static final ArchRule packages_areFreeOfCycles = slices().assignedFrom(EACH_PACKAGE).should().beFreeOfCycles();
}
