package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.local.iam.CallLog;
import dev.sentinel.local.iam.DeployedStack;
import dev.sentinel.local.iam.LeastPrivilegeProof;
import dev.sentinel.local.iam.LeastPrivilegeProof.Refusal;
import dev.sentinel.local.iam.LeastPrivilegeProof.StatementAt;
import dev.sentinel.local.iam.SamTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The least-privilege proof, per function. Every module's tests run the code under test with each function's own
 * clients ({@code TestAws.asFunction}), and every AWS call they made was recorded with the permissions it needs
 * ({@link CallLog}, under target/aws-calls/). Here those calls are judged against template.yaml as the SAM translator
 * expands it, with the buckets' and key's own policies: nothing may be refused, nothing granted may go unused, and
 * leaving out any one statement must break a recorded call. Runs after the function modules in the reactor; on its
 * own it judges the calls of the last full run.
 */
class LeastPrivilegeTest {

    private static DeployedStack stack;
    private static LeastPrivilegeProof proof;

    @BeforeAll
    static void judgeTheRecordedCalls() {
        stack = DeployedStack.of(SamTransform.repositoryTemplate());
        List<CallLog.Call> calls = CallLog.readAll();
        proof = LeastPrivilegeProof.of(stack, calls);
        System.out.printf("least privilege: %d recorded calls, %d distinct permissions, services by function %s%n",
                calls.size(), proof.needs().size(), proof.servicesByFunction());
    }

    @Test
    void everyFunctionOfTheTemplateWasExercisedByTheSuite() {
        assertEquals(Set.of(), proof.functionsNeverExercised(), "no recorded call of these functions in "
                + CallLog.directory() + ": run the whole suite (mvn verify) so every module's tests record theirs");
    }

    @Test
    void everyCallEveryFunctionMakesIsAllowedByItsDeployedRole() {
        List<Refusal> refused = proof.refusals();
        assertTrue(refused.isEmpty(), "refused in AWS, by function, call, test and missing permission:\n"
                + refused.stream().map(Refusal::toString).collect(Collectors.joining("\n")));
    }

    @Test
    void noGrantedActionOrResourceGoesUnused() {
        Map<String, Set<String>> unused = proof.unusedGrants();
        assertTrue(unused.isEmpty(), "granted but never needed by any recorded call (remove them, or add the test "
                + "that needs them):\n" + unused.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n")));
    }

    /** The proof can fail: a copy of the template without any one statement refuses a call the code makes. */
    @Test
    void removingAnyOneStatementRefusesACallTheCodeMakes() {
        List<String> harmless = new ArrayList<>();
        List<StatementAt> statements = proof.inlineStatements();
        assertTrue(statements.size() >= 12, "statements found: " + statements.size());
        for (StatementAt statement : statements) {
            List<Refusal> broken = proof.refusalsWithout(statement);
            if (broken.isEmpty()) {
                harmless.add(statement.toString());
            } else {
                System.out.printf("without %-55s %3d refused, e.g. %s%n", statement, broken.size(),
                        broken.get(0).need().authorization());
            }
        }
        assertEquals(List.of(), harmless, "statements nothing needs");
    }

    /**
     * The buckets' Denies win over any grant: a role the read gates (or the tag gates) stop exempting can no longer
     * do what its code does; and no role is exempted that no recorded call needs.
     */
    @Test
    void theBucketsGatesDenyEveryRoleTheyDoNotExempt() {
        List<List<String>> gates = proof.exemptingDenies();
        assertTrue(gates.contains(List.of("UploadsBucketPolicy", "DenyReadingUnapprovedObjects")), gates.toString());
        assertTrue(gates.contains(List.of("QuarantineBucketPolicy", "DenyReadsByAnyoneElse")), gates.toString());
        List<String> unneeded = new ArrayList<>();
        for (List<String> gate : gates) {
            for (String role : proof.exemptedRoles(gate.get(0), gate.get(1))) {
                List<Refusal> refused = proof.refusalsWithoutExemption(gate.get(0), gate.get(1), role);
                if (refused.isEmpty()) {
                    unneeded.add(gate.get(1) + " exempts " + role);
                    continue;
                }
                assertTrue(refused.stream().allMatch(r -> r.decision().deniedBy() != null
                        && r.decision().deniedBy().statement().sid().equals(gate.get(1))), refused.toString());
                System.out.printf("without %s's exemption of %s: %d refused, e.g. %s%n", gate.get(1), role,
                        refused.size(), refused.get(0).need().authorization());
            }
        }
        assertEquals(List.of(), unneeded, "exemptions from a bucket's Deny that no recorded call needs");
    }
}
