package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.image.RekognitionImages;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Uploads in every format the scanner reads, through the real pipeline and the real Rekognition client. */
class ScanImageFormatsTest {

    private final ScanFixture fx = new ScanFixture();

    @Test
    void webpUploadIsConvertedToJpegSentInlineAndTheOriginalQuarantined() throws IOException {
        byte[] webp = TestAws.class.getResourceAsStream("/photos/street-q2821-lossy.webp").readAllBytes();
        fx.rekognition.thenReply(RekognitionStandIn.moderationLabels(List.of(explicit(93))));

        Verdict verdict = decided(fx.service().scan(fx.upload("gen/output.webp", webp)));

        RekognitionStandIn.Request request = fx.rekognition.requests().get(0);
        assertTrue(request.sentAsBytes(), "Rekognition cannot read WebP from S3");
        assertEquals(ImageFormat.JPEG, ImageFormat.sniff(request.imageBytes()));
        BufferedImage sent = TestImages.decode(request.imageBytes());
        assertEquals(TestImages.decode(webp).getWidth(), sent.getWidth());
        assertEquals(Action.QUARANTINE, verdict.action());
        assertEquals(ImageFormat.WEBP, verdict.object().format());
        assertArrayEquals(webp, fx.aws.s3().getObjectAsBytes(b -> b.bucket(verdict.placement().location().bucket())
                .key(verdict.placement().location().key())).asByteArray(), "the original bytes are kept as evidence");
    }

    @Test
    void animatedGifUploadIsJudgedOnItsFirstFrame() {
        byte[] gif = TestImages.animatedGif(200, 150, Color.RED, Color.BLUE);

        Verdict verdict = decided(fx.service().scan(fx.upload("meme.gif", gif)));

        RekognitionStandIn.Request request = fx.rekognition.requests().get(0);
        assertTrue(request.sentAsBytes());
        Color centre = new Color(TestImages.decode(request.imageBytes()).getRGB(100, 75));
        assertTrue(centre.getRed() > 200 && centre.getBlue() < 60, "first frame is red, was " + centre);
        assertEquals(Action.ALLOW, verdict.action());
        assertEquals(PlacementState.PUBLISHED, verdict.placement().state());
    }

    @Test
    void bmpAndTiffUploadsAreConvertedToo() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        for (String format : List.of("bmp", "tiff")) {
            fx.rekognition.reset();
            decided(fx.service().scan(fx.upload("scan." + format, TestImages.reencode(photo, format))));

            RekognitionStandIn.Request request = fx.rekognition.requests().get(0);
            assertTrue(request.sentAsBytes(), format);
            assertEquals(ImageFormat.JPEG, ImageFormat.sniff(request.imageBytes()), format);
        }
    }

    @Test
    void pngOverFiveMegabytesGoesByS3ReferenceUnchanged() {
        byte[] png = TestImages.encode(TestImages.noise(1800, 1400, 11), "png");
        assertTrue(png.length > RekognitionImages.MAX_INLINE_BYTES
                && png.length < RekognitionImages.MAX_S3_OBJECT_BYTES, "fixture size " + png.length);
        fx.labels(png, explicit(91));

        Verdict verdict = decided(fx.service().scan(fx.upload("big.png", png)));

        RekognitionStandIn.Request request = fx.rekognition.requests().get(0);
        assertFalse(request.sentAsBytes());
        assertEquals("big.png", request.s3Object().name());
        assertEquals(Action.QUARANTINE, verdict.action(), "Rekognition judged the very bytes that were uploaded");
    }

    @Test
    void pngOverFiveMegabytesIsDownscaledWhenItMustGoInline() {
        byte[] png = TestImages.encode(TestImages.noise(1800, 1400, 12), "png");
        ModerationEngine inlineOnly = Engines.rekognition(fx.scanner.rekognition(), fx.policy, false);
        ScanService service = fx.service(fx.objects(), inlineOnly);

        decided(service.scan(fx.upload("big-inline.png", png)));

        RekognitionStandIn.Request request = fx.rekognition.requests().get(0);
        assertTrue(request.sentAsBytes());
        assertTrue(request.imageBytes().length <= RekognitionImages.MAX_INLINE_BYTES,
                "sent " + request.imageBytes().length + " bytes");
        assertEquals(ImageFormat.JPEG, ImageFormat.sniff(request.imageBytes()));
    }

    @Test
    void decompressionBombIsHeldWithoutCallingRekognition() {
        Verdict verdict = decided(fx.service().scan(fx.upload("bomb.png", TestImages.pngDeclaring(100_000, 100_000))));

        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(PlacementState.HELD, verdict.placement().state());
        assertEquals(ReasonCode.IMAGE_REJECTED, verdict.reasons().get(0).code());
        assertTrue(verdict.reasons().get(0).text().contains("100000x100000"), verdict.reasons().get(0).text());
        assertEquals(0, fx.rekognition.requests().size());
    }

    private static Verdict decided(ScanOutcome outcome) {
        return assertInstanceOf(ScanOutcome.Decided.class, outcome).verdict();
    }
}
