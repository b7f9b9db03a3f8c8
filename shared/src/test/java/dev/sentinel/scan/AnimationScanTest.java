package dev.sentinel.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.Verdict;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every scene of an animation is judged: a benign first frame never speaks for explicit frames after it. The
 * Rekognition stand-in here calls an image explicit when a twentieth of it is red, as it would call a nude.
 */
class AnimationScanTest {

    private static final Color GREY = new Color(90, 90, 90);
    private static final Color RED = new Color(220, 20, 20);

    private final ScanFixture fx = new ScanFixture();

    @BeforeEach
    void redIsExplicit() {
        fx.rekognition.respondWith(request -> request.operation().equals("DetectFaces")
                ? RekognitionStandIn.faces(List.of())
                : RekognitionStandIn.moderationLabels(request.imageBytes() != null && redShare(request.imageBytes())
                        > 0.05 ? List.of(ScanFixture.explicit(96)) : List.of()));
    }

    @Test
    void anExplicitFrameAmongBenignOnesIsNeverPublished() {
        byte[] gif = TestImages.animatedGif(64, 48, GREY, GREY, RED, GREY, GREY);

        Verdict verdict = decided(fx.service().scan(fx.upload("benign-first.gif", gif)));

        assertEquals(Action.QUARANTINE, verdict.action(), verdict.reasons().toString());
        assertTrue(framesJudged(verdict).contains("frames 0, 2"), framesJudged(verdict));
        assertEquals(2, fx.rekognition.count("DetectModerationLabels"), "one engine call per distinct scene");
    }

    @Test
    void aSceneDrawnAsAPatchOverEarlierFramesIsJudgedAsShown() {
        // GIF and WebP encoders write a change in one corner as a small frame at an offset: judged alone, that
        // frame would be a red square; composed, it is the scene a viewer sees.
        byte[] gif = TestImages.gifWithPatchFrame(64, 48, GREY, RED, 40, 30, 24, 18);
        byte[] webp = resource("/animations/red-patch-in-second-frame.webp");

        Verdict fromGif = decided(fx.service().scan(fx.upload("patch.gif", gif)));
        Verdict fromWebp = decided(fx.service().scan(fx.upload("patch.webp", webp)));

        for (Verdict verdict : List.of(fromGif, fromWebp)) {
            assertEquals(Action.QUARANTINE, verdict.action(), verdict.object().key() + ": " + verdict.reasons());
            assertTrue(framesJudged(verdict).contains("frames 0, 1"), framesJudged(verdict));
        }
    }

    @Test
    void moreDistinctScenesThanTheCapGoToAPerson() {
        Color[] frames = new Color[AnimationScenes.MAX_SCENES + 2];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Color.getHSBColor(i / (float) frames.length, 0.3f, 0.9f);
        }

        Verdict verdict = decided(fx.service().scan(fx.upload("slideshow.gif", TestImages.animatedGif(48, 48, frames))));

        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(ReasonCode.ANIMATION_OVER_CAP, verdict.reasons().get(0).code());
        assertTrue(fx.rekognition.count("DetectModerationLabels") <= AnimationScenes.MAX_SCENES);
    }

    @Test
    void anAnimatedPngIsHeldSinceOnlyItsFirstFrameCanBeRead() {
        byte[] apng = TestImages.withAnimationControl(TestImages.encode(TestImages.solid(64, 48, GREY), "png"));

        Verdict verdict = decided(fx.service().scan(fx.upload("animated.png", apng)));

        assertEquals(Action.REVIEW, verdict.action());
        assertTrue(verdict.reasons().get(0).text().contains("animated PNG"), verdict.reasons().toString());
        assertEquals(0, fx.rekognition.count("DetectModerationLabels"));
    }

    @Test
    void aStillGifIsJudgedOnceAsBefore() {
        Verdict verdict = decided(fx.service().scan(fx.upload("still.gif", TestImages.animatedGif(64, 48, GREY))));

        assertEquals(Action.ALLOW, verdict.action());
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"));
        assertTrue(verdict.reasons().stream().noneMatch(r -> r.code() == ReasonCode.ANIMATION_SCENES));
    }

    private static String framesJudged(Verdict verdict) {
        return verdict.reasons().stream().filter(r -> r.code() == ReasonCode.ANIMATION_SCENES).findFirst()
                .map(r -> r.text()).orElse("(no scenes reason in " + verdict.reasons() + ")");
    }

    private static double redShare(byte[] image) {
        BufferedImage decoded = TestImages.decode(image);
        int red = 0;
        for (int y = 0; y < decoded.getHeight(); y++) {
            for (int x = 0; x < decoded.getWidth(); x++) {
                int p = decoded.getRGB(x, y);
                if ((p >> 16 & 0xFF) > 180 && (p >> 8 & 0xFF) < 80 && (p & 0xFF) < 80) {
                    red++;
                }
            }
        }
        return red / (double) (decoded.getWidth() * decoded.getHeight());
    }

    private static byte[] resource(String name) {
        try (InputStream in = AnimationScanTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Verdict decided(ScanOutcome outcome) {
        return assertInstanceOf(ScanOutcome.Decided.class, outcome, outcome.toString()).verdict();
    }
}
