package dev.sentinel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinel.local.aws.LocalAws;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The interceptor on a real S3-protocol server, judging by a template written for these rules: a function whose
 * role may read objects but not list the bucket, another that may do both, a third that may do neither.
 */
class FunctionRolesTest {

    private static final LocalAws SERVERS = LocalAws.shared();
    private static final String BUCKET = "roles-test-uploads";

    @BeforeAll
    static void deployTheRulesTemplate() throws Exception {
        JsonNode template = new ObjectMapper().readTree("""
                {"Resources": {
                  "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "deployed-uploads"}},
                  "Reader": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["ReaderRole", "Arn"]},
                      "Environment": {"Variables": {"BUCKET": {"Ref": "Uploads"}}}}},
                  "ReaderRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "read",
                      "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                          "Resource": {"Fn::Sub": "${Uploads.Arn}/*"}}]}}]}},
                  "Lister": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["ListerRole", "Arn"]}}},
                  "ListerRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "read-and-list",
                      "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                          "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::deployed-uploads/*"}},
                          {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": {"Fn::GetAtt": ["Uploads", "Arn"]}}]}}]}},
                  "Stranger": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["StrangerRole", "Arn"]}}},
                  "StrangerRole": {"Type": "AWS::IAM::Role", "Properties": {}}
                }}""");
        FunctionRoles.judgeBy(DeployedStack.of(template), "rules of FunctionRolesTest");
        StackBinding.bindEnvironment(FunctionRoles.authorizer().stack(), Map.of("BUCKET", BUCKET));
        S3Client admin = s3(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
        admin.createBucket(b -> b.bucket(BUCKET));
        admin.putObject(b -> b.bucket(BUCKET).key("photo.jpg"), RequestBody.fromString("bytes"));
    }

    @AfterAll
    static void judgeByTheRepositoryTemplateAgain() {
        FunctionRoles.judgeBy(DeployedStack.of(SamTransform.repositoryTemplate()), CallLog.REPOSITORY_STACK);
    }

    @Test
    void aCallTheRoleAllowsReachesTheServer() {
        assertEquals("bytes", s3(FunctionRoles.credentialsFor("Reader"))
                .getObjectAsBytes(b -> b.bucket(BUCKET).key("photo.jpg")).asUtf8String());
    }

    @Test
    void aCallTheRoleDoesNotAllowFailsWithS3sOwnAccessDeniedNamingWhatIsMissing() {
        S3Exception refused = assertThrows(S3Exception.class, () -> s3(FunctionRoles.credentialsFor("Stranger"))
                .getObjectAsBytes(b -> b.bucket(BUCKET).key("photo.jpg")));
        assertEquals(403, refused.statusCode());
        assertEquals("AccessDenied", refused.awsErrorDetails().errorCode());
        assertTrue(refused.getMessage().contains("s3:GetObject on arn:aws:s3:::deployed-uploads/photo.jpg"),
                refused.getMessage());
    }

    @Test
    void aMissingKeyIs404OnlyForARoleThatMayListTheBucket() {
        S3Exception forReader = assertThrows(S3Exception.class, () -> s3(FunctionRoles.credentialsFor("Reader"))
                .headObject(b -> b.bucket(BUCKET).key("never-uploaded.jpg")));
        assertEquals(403, forReader.statusCode());
        S3Exception getForReader = assertThrows(S3Exception.class, () -> s3(FunctionRoles.credentialsFor("Reader"))
                .getObjectAsBytes(b -> b.bucket(BUCKET).key("never-uploaded.jpg")));
        assertEquals(403, getForReader.statusCode());
        assertEquals("AccessDenied", getForReader.awsErrorDetails().errorCode());

        S3Exception forLister = assertThrows(S3Exception.class, () -> s3(FunctionRoles.credentialsFor("Lister"))
                .headObject(b -> b.bucket(BUCKET).key("never-uploaded.jpg")));
        assertEquals(404, forLister.statusCode());
    }

    @Test
    void callsWithoutAFunctionsCredentialsAreNotJudged() {
        assertEquals(404, assertThrows(S3Exception.class, () -> s3(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("test", "test"))).headObject(b -> b.bucket(BUCKET).key("nothing")))
                .statusCode());
    }

    @Test
    void everyJudgedCallIsRecordedWithItsDecisions() {
        s3(FunctionRoles.credentialsFor("Reader")).getObjectAsBytes(b -> b.bucket(BUCKET).key("photo.jpg"));
        List<CallLog.Call> calls = CallLog.readAll().stream()
                .filter(c -> c.test().startsWith("FunctionRolesTest.everyJudgedCall")).toList();
        assertEquals(1, calls.size(), calls.toString());
        assertEquals("s3:GetObject", calls.get(0).operation());
        assertEquals("s3:GetObject", calls.get(0).checks().get(0).authorization().action());
        assertEquals("ALLOWED", calls.get(0).checks().get(0).outcome());
        assertEquals("Uploads", calls.get(0).checks().get(0).authorization().resource());
    }

    private static S3Client s3(AwsCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(SERVERS.s3Endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(credentials).build();
    }
}
