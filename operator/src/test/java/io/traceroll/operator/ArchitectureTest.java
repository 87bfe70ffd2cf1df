package io.traceroll.operator;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.CustomResource;
import org.junit.jupiter.api.Test;

/**
 * The structure the build holds the code to: no package cycles anywhere in Traceroll, and a policy
 * model that decides without calling the API server. A new cycle fails here, with the classes that
 * close it.
 */
class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          // Test jars (TestPolicies) are tests too, whether from target/ or the local repository.
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("io.traceroll");

  @Test
  void noPackageDependsOnItselfThroughAnother() {
    slices().matching("io.traceroll.(**)").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void thePolicyModelMakesNoApiCalls() {
    classes()
        .that()
        .resideInAPackage("io.traceroll.policy..")
        .should()
        .onlyDependOnClassesThat(
            resideInAnyPackage(
                    "io.traceroll.policy..",
                    "io.traceroll.api..",
                    "java..",
                    "com.fasterxml.jackson.databind..",
                    "io.fabric8.kubernetes.api.model..")
                .or(type(CustomResource.class)))
        .check(CLASSES);
  }

  @Test
  void admissionCodeKnowsNothingOfTheOperator() {
    noClasses()
        .that()
        .resideInAnyPackage("io.traceroll.webhook..", "io.traceroll.policy..", "io.traceroll.api..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.traceroll.operator..")
        .check(CLASSES);
  }
}
