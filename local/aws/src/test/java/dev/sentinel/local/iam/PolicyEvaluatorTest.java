package dev.sentinel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinel.local.iam.PolicyEvaluator.Outcome;
import dev.sentinel.local.iam.PolicyEvaluator.RequestContext;
import dev.sentinel.local.iam.PolicyEvaluator.ResourcePolicyKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** IAM's evaluation rules as AWS documents them, on small policies written for each rule. */
class PolicyEvaluatorTest {

    private static final String SCANNER = "arn:aws:iam::123456789012:role/scanner";
    private static final String OTHER = "arn:aws:iam::123456789012:role/other";
    private static final String OBJECT = "arn:aws:s3:::uploads/photo.jpg";

    private static final PolicyDocument READS_UPLOADS = policy("""
            {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:getobjectversion"],
                            "Resource": "arn:aws:s3:::uploads/*"}]}""");
    private static final PolicyDocument READ_GATE = policy("""
            {"Statement": [{"Sid": "Gate", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::uploads/*",
                            "Condition": {"StringNotEquals": {"s3:ExistingObjectTag/moderation": "approved"},
                                          "ArnNotEquals": {"aws:PrincipalArn": ["%s"]}}}]}""".formatted(SCANNER));

    @Test
    void anIdentityGrantAllowsWhenNoResourcePolicySpeaks() {
        assertEquals(Outcome.ALLOWED, decide(SCANNER, "s3:GetObject", OBJECT, Map.of(), List.of(READS_UPLOADS),
                List.of(), ResourcePolicyKind.ALLOWS_OR_DEFERS));
        assertEquals(Outcome.ALLOWED, decide(SCANNER, "S3:GETOBJECTVERSION", OBJECT, Map.of(), List.of(READS_UPLOADS),
                List.of(), ResourcePolicyKind.NONE), "actions ignore case");
        assertEquals(Outcome.IMPLICIT_DENY, decide(SCANNER, "s3:GetObject", "arn:aws:s3:::UPLOADS/photo.jpg", Map.of(),
                List.of(READS_UPLOADS), List.of(), ResourcePolicyKind.NONE), "ARNs do not");
        assertEquals(Outcome.IMPLICIT_DENY, decide(SCANNER, "s3:PutObject", OBJECT, Map.of(), List.of(READS_UPLOADS),
                List.of(), ResourcePolicyKind.NONE));
    }

    @Test
    void aResourcePolicysDenyWinsUnlessItsConditionsExemptTheCaller() {
        // The other role may read by its own policy, but the object is not approved: the gate's Deny wins.
        assertEquals(Outcome.EXPLICIT_DENY, decide(OTHER, "s3:GetObject", OBJECT, Map.of(), List.of(READS_UPLOADS),
                List.of(READ_GATE), ResourcePolicyKind.ALLOWS_OR_DEFERS));
        assertEquals(Outcome.ALLOWED, decide(OTHER, "s3:GetObject", OBJECT,
                Map.of("s3:ExistingObjectTag/moderation", "approved"), List.of(READS_UPLOADS), List.of(READ_GATE),
                ResourcePolicyKind.ALLOWS_OR_DEFERS));
        assertEquals(Outcome.EXPLICIT_DENY, decide(OTHER, "s3:GetObject", OBJECT,
                Map.of("s3:ExistingObjectTag/moderation", "held"), List.of(READS_UPLOADS), List.of(READ_GATE),
                ResourcePolicyKind.ALLOWS_OR_DEFERS));
        assertEquals(Outcome.ALLOWED, decide(SCANNER, "s3:GetObject", OBJECT, Map.of(), List.of(READS_UPLOADS),
                List.of(READ_GATE), ResourcePolicyKind.ALLOWS_OR_DEFERS));
    }

    @Test
    void aMissingKeyFailsPlainOperatorsAndSatisfiesNegatedOnesAndNullTellsWhichItIs() {
        PolicyDocument tagged = policy("""
                {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*",
                                "Condition": {"Null": {"s3:RequestObjectTag/moderation": "false"}}},
                               {"Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": "s3:PutObject",
                                "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}"""
                .formatted(OTHER));
        assertEquals(Outcome.EXPLICIT_DENY, decide(OTHER, "s3:PutObject", OBJECT,
                Map.of("s3:RequestObjectTag/moderation", "approved"), List.of(), List.of(tagged),
                ResourcePolicyKind.ALLOWS_OR_DEFERS));
        assertEquals(Outcome.IMPLICIT_DENY, decide(OTHER, "s3:PutObject", OBJECT, Map.of(), List.of(), List.of(tagged),
                ResourcePolicyKind.ALLOWS_OR_DEFERS), "StringEquals on a key the request lacks does not hold");
        assertEquals(Outcome.ALLOWED, decide(OTHER, "s3:PutObject", OBJECT, Map.of("aws:SourceVpc", "vpc-1"),
                List.of(), List.of(tagged), ResourcePolicyKind.ALLOWS_OR_DEFERS), "a bucket policy alone may allow");
    }

    @Test
    void aKeyPolicyMustAllowItselfOrHandTheDecisionToTheAccount() {
        String key = "arn:aws:kms:us-east-1:123456789012:key/k";
        PolicyDocument usesKey = policy("""
                {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "%s"}]}""".formatted(key));
        PolicyDocument delegating = policy("""
                {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                "Action": "kms:*", "Resource": "*"}]}""");
        PolicyDocument closed = policy("""
                {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": "kms:*",
                                "Resource": "*"}]}""".formatted(OTHER));
        assertEquals(Outcome.ALLOWED, decide(SCANNER, "kms:Decrypt", key, Map.of(), List.of(usesKey),
                List.of(delegating), ResourcePolicyKind.KEY_POLICY));
        assertEquals(Outcome.IMPLICIT_DENY, decide(SCANNER, "kms:Decrypt", key, Map.of(), List.of(),
                List.of(delegating), ResourcePolicyKind.KEY_POLICY), "delegation still needs the role's own grant");
        assertEquals(Outcome.IMPLICIT_DENY, decide(SCANNER, "kms:Decrypt", key, Map.of(), List.of(usesKey),
                List.of(closed), ResourcePolicyKind.KEY_POLICY), "an IAM grant is worth nothing the key does not hand over");
        assertEquals(Outcome.ALLOWED, decide(OTHER, "kms:Decrypt", key, Map.of(), List.of(), List.of(closed),
                ResourcePolicyKind.KEY_POLICY));
    }

    @Test
    void notActionAndNotResourceInvertTheMatch() {
        PolicyDocument everythingButDeletes = policy("""
                {"Statement": [{"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": "arn:aws:s3:::secret/*"}]}""");
        assertEquals(Outcome.ALLOWED, decide(SCANNER, "s3:GetObject", OBJECT, Map.of(), List.of(everythingButDeletes),
                List.of(), ResourcePolicyKind.NONE));
        assertEquals(Outcome.IMPLICIT_DENY, decide(SCANNER, "s3:DeleteObjectVersion", OBJECT, Map.of(),
                List.of(everythingButDeletes), List.of(), ResourcePolicyKind.NONE));
        assertEquals(Outcome.IMPLICIT_DENY, decide(SCANNER, "s3:GetObject", "arn:aws:s3:::secret/x", Map.of(),
                List.of(everythingButDeletes), List.of(), ResourcePolicyKind.NONE));
    }

    @Test
    void anOperatorNotModelledFailsRatherThanGuessing() {
        PolicyDocument dated = policy("""
                {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                                "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}]}""");
        assertThrows(IllegalArgumentException.class, () -> decide(SCANNER, "s3:GetObject", OBJECT,
                Map.of("aws:CurrentTime", "2026-12-02T00:00:00Z"), List.of(dated), List.of(), ResourcePolicyKind.NONE));
    }

    private static Outcome decide(String principal, String action, String resource, Map<String, String> context,
                                  List<PolicyDocument> identity, List<PolicyDocument> resourcePolicies,
                                  ResourcePolicyKind kind) {
        RequestContext values = key -> Optional.ofNullable(key.equals("aws:PrincipalArn") ? principal
                : context.get(key));
        return PolicyEvaluator.evaluate(principal, action, resource, values, identity, resourcePolicies, kind)
                .outcome();
    }

    private static PolicyDocument policy(String json) {
        try {
            return PolicyDocument.parse("test", new ObjectMapper().readTree(json), null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
