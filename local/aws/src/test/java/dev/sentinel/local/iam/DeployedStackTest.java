package dev.sentinel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The repository's template, transformed by the SAM translator and deployed on paper. */
class DeployedStackTest {

    private final DeployedStack stack = DeployedStack.of(SamTransform.repositoryTemplate());

    @Test
    void namesResolveAsCloudFormationWouldFillThemIn() {
        assertEquals("sentinel-uploads-123456789012-us-east-1", stack.ref("UploadsBucket"));
        assertEquals("arn:aws:s3:::sentinel-quarantine-123456789012-us-east-1", stack.getAtt("QuarantineBucket", "Arn"));
        assertTrue(stack.ref("VerdictsTable").startsWith("sentinel-VerdictsTable-"), stack.ref("VerdictsTable"));
        assertTrue(stack.property("ScanUploadFunction", "FunctionName").isMissingNode(), "CloudFormation names it");
        assertTrue(stack.ref("ScanUploadFunction").startsWith("sentinel-ScanUploadFunction-"),
                stack.ref("ScanUploadFunction"));
        assertEquals("/aws/lambda/sentinel-scan-upload", stack.ref("ScanUploadLogGroup"));
        // Fn::If over a condition and Fn::FindInMap: the default engine's recommended memory.
        assertEquals(512, stack.property("ScanUploadFunction", "MemorySize").asInt());
        assertEquals(1769, DeployedStack.of(stack.template(), java.util.Map.of("ModerationEngine", "embedded"))
                .property("ScanUploadFunction", "MemorySize").asInt());
    }

    @Test
    void theNamesADeploymentGaveAnswerRefsGetAttsAndPseudoParameters() {
        DeployedStack deployed = stack.withPhysicalIds(new DeployedStack.PhysicalIds(Map.of(
                "VerdictsTable", "emulated-verdicts", "AWS::AccountId", "000000000000", "AWS::StackName", "other"),
                Map.of("ScanQueue.Arn", "arn:aws:sqs:us-east-1:000000000000:emulated-scan")));

        assertEquals("emulated-verdicts", deployed.ref("VerdictsTable"));
        assertEquals("emulated-verdicts", deployed.property("ScanUploadFunction", "Environment")
                .path("Variables").path("VERDICTS_TABLE").asText());
        assertEquals("arn:aws:sqs:us-east-1:000000000000:emulated-scan",
                deployed.property("ScanUploadFunctionUploads", "EventSourceArn").asText());
        assertEquals("sentinel-uploads-000000000000-us-east-1", deployed.property("UploadsBucket", "BucketName")
                .asText(), "Fn::Sub over the deployment's account");
        assertEquals("/aws/lambda/other-scan-upload", deployed.property("ScanUploadLogGroup", "LogGroupName").asText());
        // What is not given is still made up, and the stack it came from is unchanged.
        assertTrue(deployed.ref("CasesTable").startsWith("sentinel-CasesTable-"), deployed.ref("CasesTable"));
        assertTrue(stack.ref("VerdictsTable").startsWith("sentinel-VerdictsTable-"), stack.ref("VerdictsTable"));
    }

    @Test
    void aRolesArnIsTheSameInItsIdentityAndInTheBucketPoliciesThatNameIt() {
        String role = stack.roleOf("ScanUploadFunction");
        assertEquals("ScanUploadFunctionRole", role);
        String gate = stack.bucketPolicy("UploadsBucket").orElseThrow().statements().stream()
                .filter(s -> s.sid().equals("DenyReadingUnapprovedObjects")).findFirst().orElseThrow()
                .conditions().path("ArnNotEquals").path("aws:PrincipalArn").toString();
        assertTrue(gate.contains(stack.roleArn(role)), gate);
    }

    @Test
    void everyFunctionsRoleHasItsInlinePoliciesAndSamsManagedOnes() {
        for (String function : stack.functions()) {
            List<PolicyDocument> policies = stack.identityPolicies(stack.roleOf(function));
            assertTrue(policies.stream().anyMatch(p -> p.origin() != null), function + " has its own statements");
            assertTrue(policies.stream().anyMatch(p -> p.name().endsWith("AWSLambdaBasicExecutionRole")), function);
        }
    }

    @Test
    void theQuarantineBucketIsEncryptedWithTheStacksKey() {
        assertEquals("QuarantineKey", stack.bucketKey("QuarantineBucket").orElseThrow());
        assertTrue(stack.bucketKey("UploadsBucket").isEmpty(), "uploads are SSE-S3");
        assertTrue(stack.keyPolicy("QuarantineKey").statements().get(0).principals()
                .contains("arn:aws:iam::123456789012:root"));
    }
}
