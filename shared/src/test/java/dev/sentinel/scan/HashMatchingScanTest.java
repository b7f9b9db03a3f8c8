package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.cases.Actor;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.hash.HashLists;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.store.DynamoHashBank;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Known-content blocking and duplicate reuse, with the bank in DynamoDB Local and the real scan pipeline. */
class HashMatchingScanTest {

    private final ScanFixture fx = new ScanFixture();
    private final String bankTable = "bank-" + fx.table;
    private final DynamoHashBank bank;
    private final ScanService service;

    HashMatchingScanTest() {
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), bankTable);
        bank = new DynamoHashBank(fx.scanner(Map.of("HASH_BANK_TABLE", bankTable)).dynamo(), bankTable,
                Duration.ofMinutes(5), Clock.systemUTC());
        service = fx.service(bank);
    }

    @Test
    void duplicateOfAnApprovedImageReusesItsVerdictWithoutAnEngineCall() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
        Verdict first = decided(service.scan(fx.upload("first.jpg", photo)));

        Verdict second = decided(service.scan(fx.upload("copy/of/first.jpg", photo)));

        assertEquals(Action.ALLOW, second.action());
        assertEquals(PlacementState.PUBLISHED, second.placement().state());
        assertEquals("reused", second.engine());
        assertEquals(ReasonCode.CONTENT_REUSED, second.reasons().get(0).code());
        assertTrue(second.reasons().get(0).text().contains(first.verdictId()));
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"));
        assertEquals(first.contentHashes().pdq(), second.contentHashes().pdq());
    }

    @Test
    void reuploadOfAQuarantinedImageIsQuarantinedAgainWithoutAnEngineCall() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(97));
        decided(service.scan(fx.upload("bad.jpg", photo)));

        Verdict again = decided(service.scan(fx.upload("bad-again.jpg", photo)));

        assertEquals(Action.QUARANTINE, again.action());
        assertEquals(PlacementState.QUARANTINED, again.placement().state());
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"));
    }

    @Test
    void reviewerConfirmationBanksTheHashSoAResizedCopyIsStoppedByMatch() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(80));
        Verdict verdict = decided(service.scan(fx.upload("deepfake.jpg", photo)));
        String cases = "cases-" + fx.table;
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), cases);
        dev.sentinel.aws.AwsClients reviewer = fx.as("ReviewApiFunction", Map.of("CASES_TABLE", cases,
                "HASH_BANK_TABLE", bankTable));
        S3ObjectStore objects = new S3ObjectStore(reviewer.s3());
        new ReviewService(new DynamoVerdictStore(reviewer.dynamo(), fx.table), objects,
                new Quarantine(objects, fx.quarantineBucket), new DynamoCaseStore(reviewer.dynamo(), cases),
                Clock.systemUTC(), Period.ofMonths(6), new DynamoHashBank(reviewer.dynamo(), bankTable,
                Duration.ofMinutes(5), Clock.systemUTC()))
                .decide(verdict.verdictId(), ReviewService.CONFIRM, "Sexualised deepfake of a real person.",
                        new Actor("rev-1", List.of("reviewer")));
        BufferedImage original = TestImages.decode(photo);
        BufferedImage half = new BufferedImage(original.getWidth() / 2, original.getHeight() / 2,
                BufferedImage.TYPE_INT_RGB);
        half.createGraphics().drawImage(original, 0, 0, half.getWidth(), half.getHeight(), null);
        byte[] resized = TestImages.encode(half, "jpeg");

        // The review function banked it; the scan function's bank sees it when it next loads (a new container here).
        ScanService reloaded = fx.service(new DynamoHashBank(fx.scanner(Map.of()).dynamo(), bankTable,
                Duration.ofMinutes(5), Clock.systemUTC()));
        Verdict copy = decided(reloaded.scan(fx.upload("reposted-small.jpg", resized)));

        assertEquals(Action.QUARANTINE, copy.action());
        assertEquals(ReasonCode.KNOWN_CONTENT, copy.reasons().get(0).code());
        assertTrue(copy.reasons().get(0).text().contains("PDQ hash on the list 'sentinel-reviews'"),
                copy.reasons().get(0).text());
        assertEquals("hash-match", copy.engine());
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"), "no engine call for known content");
    }

    @Test
    void importedListBlocksARecompressedCopy() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        String pdq = new PdqHasher().hash(TestImages.decode(photo)).hex();
        HashLists.Parsed parsed = HashLists.parse(HashLists.CSV_HEADER + "\n" + pdq + ",pdq,intimate-imagery,\n",
                "csv", "stopncii-sample", "importer", Instant.now());
        parsed.entries().forEach(bank::addToBank);

        Verdict verdict = decided(service.scan(fx.upload("recompressed.jpg", TestImages.reencode(photo, "jpeg"))));

        assertEquals(ReasonCode.KNOWN_CONTENT, verdict.reasons().get(0).code());
        assertTrue(verdict.reasons().get(0).text().contains("stopncii-sample"));
        assertEquals(0, fx.rekognition.count("DetectModerationLabels"));
    }

    @Test
    void nonImagesAreHeldBeforeAnyHashMatch() {
        byte[] notAnImage = "%PDF-1.7 a leaked document".getBytes();
        bank.addToBank(new dev.sentinel.hash.BankEntry(dev.sentinel.hash.ContentHashes.sha256(notAnImage), "sha256",
                "illegal-content", "authority-order-17", "admin", Instant.now(), null));

        Verdict verdict = decided(service.scan(fx.upload("doc.jpg", notAnImage)));

        assertEquals(Action.REVIEW, verdict.action(), "not an image: held before any hash match");
    }

    @Test
    void lowQualityHashesAreNotNearMatched() {
        byte[] flat = TestImages.encode(TestImages.solid(300, 200, Color.GRAY), "png");
        String pdq = new PdqHasher().hash(TestImages.decode(flat)).hex();
        bank.addToBank(new dev.sentinel.hash.BankEntry(pdq, "pdq", "test", "flat-list", "admin", Instant.now(), null));
        byte[] otherFlat = TestImages.encode(TestImages.solid(310, 200, new Color(130, 130, 130)), "png");

        Verdict verdict = decided(service.scan(fx.upload("flat.png", otherFlat)));

        assertEquals(Action.ALLOW, verdict.action());
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"), "the engine decided, not the flat hash");
    }

    private static Verdict decided(ScanOutcome outcome) {
        return assertInstanceOf(ScanOutcome.Decided.class, outcome).verdict();
    }
}
