package dev.sentinel.local;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.cases.Actor;
import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.image.JpegCopies;
import dev.sentinel.likeness.Consent;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.likeness.Registration;
import dev.sentinel.likeness.registry.LikenessRegistry;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.MarkedFaces;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.policy.Reason;
import dev.sentinel.scan.ObjectEvent;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.VerdictTable;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.wiring.LikenessWiring;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Likeness protection's whole lifecycle on this machine, offline: local S3 and DynamoDB, the Rekognition stand-in's
 * face collection and the SNS stand-in. Enrols a sample face, uploads a sexual-labelled image showing it (quarantined,
 * an alert sent), withdraws, and uploads another (ordinary policy: published). Every upload is labelled
 * "Swimwear or Underwear" by the stand-in, which the default policy publishes unless a signal says otherwise.
 *
 * <p>Run from the repository: {@code mvn -q -DskipTests -pl local/runner -am test-compile exec:java
 * -Dexec.mainClass=dev.sentinel.local.LikenessDemo}.
 */
public final class LikenessDemo {

    private static final String UPLOADS = "demo-uploads";
    private static final String QUARANTINE = "demo-quarantine";
    private static final String COLLECTION = "demo-faces";
    private static final String TOPIC = "arn:aws:sns:us-east-1:000000000000:demo-likeness-alerts";
    private static final long FACE = 0xA11CEL;

    private LikenessDemo() {
    }

    public static void main(String[] args) throws IOException {
        String repo = System.getProperty("sentinel.repo");
        System.exit(run(Path.of(repo != null ? repo : "").toAbsolutePath().normalize(), System.out));
    }

    /** @param repo the repository, for the sample photos the faces are drawn onto */
    static int run(Path repo, PrintStream out) throws IOException {
        BufferedImage street = ImageIO.read(repo.resolve("local/samples/street-q2821.jpg").toFile());
        try (LocalAws servers = LocalAws.start()) {
            AwsClients clients = AwsClients.create(new AwsClients.Settings(Region.US_EAST_1,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")), servers.s3Endpoint(),
                    servers.dynamoEndpoint(), servers.rekognitionEndpoint(), true, RekognitionBounds.DEFAULT, null,
                    servers.snsEndpoint()));
            RekognitionStandIn rekognition = servers.rekognition();
            // As the real service does, the stand-in reads S3Object images from the (local) bucket.
            rekognition.readS3With(at -> clients.s3().getObjectAsBytes(b -> b.bucket(at.bucket()).key(at.name())
                    .versionId(at.version())).asByteArray());
            rekognition.respondWith(request -> request.operation().equals("DetectFaces")
                    ? RekognitionStandIn.markedFaces(request.imageBytes(), 25, 33)
                    : RekognitionStandIn.moderationLabels(List.of(new RekognitionStandIn.Label(
                            "Swimwear or Underwear", "", 1, 92))));
            for (String bucket : List.of(UPLOADS, QUARANTINE)) {
                clients.s3().createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(bucket.equals(QUARANTINE)));
                clients.s3().putBucketVersioning(b -> b.bucket(bucket)
                        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            }
            VerdictTable.createIfMissing(clients.dynamo(), "demo-verdicts");
            for (String table : List.of("demo-cases", "demo-bank", "demo-likeness")) {
                CaseTable.createIfMissing(clients.dynamo(), table);
            }
            clients.rekognition().createCollection(b -> b.collectionId(COLLECTION));
            LikenessSettings likeness = LikenessSettings.of(COLLECTION, "demo-likeness", TOPIC);
            ScanSettings scan = new ScanSettings(Set.of(UPLOADS), QUARANTINE, "demo-verdicts",
                    PolicyLoader.DEFAULT_SOURCE, ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition")
                    .withHashBank("demo-bank").withCasesTable("demo-cases").withLikeness(likeness);
            LikenessRegistry registry = LikenessWiring.registry(likeness, clients, "demo-bank", "demo-cases",
                    Clock.systemUTC());

            out.println("1. Enrol a face with consent (one reference photo; the photo is not kept)");
            Registration registration = registry.enrol(new LikenessRegistry.Enrolment(List.of(draw(street, 480, 120,
                    100, 220)), new Consent("Alice Example", Consent.SELF, "likeness-protection", "notice-1",
                    Instant.now()), "alice@example.org"), new Actor("alice", List.of("protected-person")), true);
            out.printf("   %s: %s, %d face indexed, expires %s%n", registration.registrationId(),
                    registration.status(), registration.faceIds().size(), registration.expiresAt());

            out.println("2. Upload a sexual-labelled image showing that face");
            Verdict matched = scan(clients, scan, "users/bob/beach.jpg", draw(street, 800, 300, 200, 150));
            print(out, matched);
            servers.sns().publishedTo(TOPIC).forEach(alert -> out.printf("   alert to registration %s: %s%n",
                    alert.attributes().get("registrationId"), alert.message()));

            out.println("3. Withdraw consent: faces and hashes erased in one call");
            Registration withdrawn = registry.withdraw(registration.registrationId(), new Actor("alice",
                    List.of("protected-person")));
            out.printf("   %s, faces left in the collection: %d%n", withdrawn.status(),
                    rekognition.faceCount(COLLECTION));

            out.println("4. Upload another such image of the same face");
            Verdict after = scan(clients, scan, "users/bob/beach-2.jpg", draw(street, 800, 320, 180, 150));
            print(out, after);
            return matched.action().name().equals("QUARANTINE") && after.action().name().equals("ALLOW") ? 0 : 1;
        }
    }

    private static byte[] draw(BufferedImage background, int size, int x, int y, int faceSize) {
        BufferedImage canvas = JpegCopies.scaleOntoWhite(background, size, size * 3 / 4);
        return JpegCopies.encode(MarkedFaces.draw(canvas, x, y, faceSize, FACE), 0.9f);
    }

    private static Verdict scan(AwsClients clients, ScanSettings settings, String key, byte[] bytes) {
        PutObjectResponse put = clients.s3().putObject(b -> b.bucket(UPLOADS).key(key), RequestBody.fromBytes(bytes));
        ScanOutcome outcome = ScanServiceBuilder.of(settings, clients, StructuredLog.discard(), Clock.systemUTC())
                .service()
                .scan(new ObjectEvent(new ObjectRef(UPLOADS, key, put.versionId()), ETag.unquoted(put.eTag()),
                        (long) bytes.length, "ObjectCreated:Put", Instant.now()));
        return ((ScanOutcome.Decided) outcome).verdict();
    }

    private static void print(PrintStream out, Verdict verdict) {
        out.printf("   %s -> %s (%s)%n", verdict.object().key(), verdict.action(), verdict.placement().state());
        for (Reason reason : verdict.reasons()) {
            out.printf("     %s: %s%n", reason.code(), reason.text());
        }
    }
}
