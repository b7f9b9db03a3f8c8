package dev.sentinel.engine.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.engine.ModerationResult;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.testing.TestAws;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedEngineTest {

    private final EmbeddedEngine engine = new EmbeddedEngine(NsfwClassifierGoldenTest.CLASSIFIER, new ImageDecoder());

    @Test
    void classesBecomeTaxonomySevenLabels() {
        List<ModerationLabel> labels = EmbeddedEngine.labels(new float[] {0.01f, 0.30f, 0.04f, 0.45f, 0.20f});

        ModerationLabel explicit = labels.get(0);
        assertEquals("Explicit", explicit.name());
        assertEquals(1, explicit.taxonomyLevel());
        assertEquals(75.0, explicit.confidence(), 1e-4, "Porn and Hentai together");
        assertEquals(List.of(), explicit.contentTypes());
        ModerationLabel nudity = labels.get(1);
        assertEquals("Non-Explicit Nudity", nudity.name());
        assertEquals("Non-Explicit Nudity of Intimate parts and Kissing", nudity.parentName());
        assertEquals(20.0, nudity.confidence(), 1e-4);
        assertEquals(List.of("Illustrated"), EmbeddedEngine.labels(new float[] {0, 0.6f, 0, 0.3f, 0.1f}).get(0)
                .contentTypes(), "mostly Hentai is drawn content");
    }

    @Test
    void mappedLabelsGoThroughThePolicyLikeRekognitionLabels() {
        Policy policy = new PolicyLoader().load("bundled:embedded-v7");

        PolicyDecision porn = policy.evaluate(EmbeddedEngine.labels(new float[] {0, 0.02f, 0.03f, 0.93f, 0.02f}));
        PolicyDecision sexy = policy.evaluate(EmbeddedEngine.labels(new float[] {0, 0, 0.05f, 0.02f, 0.93f}));
        PolicyDecision neutral = policy.evaluate(EmbeddedEngine.labels(new float[] {0.01f, 0, 0.98f, 0.01f, 0}));

        assertEquals(Action.QUARANTINE, porn.action());
        assertEquals("Explicit", porn.reasons().get(0).rule());
        assertEquals(Action.REVIEW, sexy.action());
        assertEquals(Action.ALLOW, neutral.action());
    }

    @Test
    void realPhotoIsDecodedAndJudgedSafe() {
        ModerationResult result = engine.detect(ImageInput.of(TestAws.photo("reg-test-input_labelme-subset_q2821.jpg")));

        assertEquals("embedded", result.engine());
        assertEquals("nsfwjs-mobilenet_v2@4.4.0", result.modelVersion());
        assertEquals(2, result.labels().size());
        assertTrue(result.labels().stream().allMatch(l -> l.confidence() < 1.0), result.labels().toString());
    }

    @Test
    void undecodableBytesAreRejectedNotGuessed() {
        EngineException e = assertThrows(EngineException.class,
                () -> engine.detect(ImageInput.of("GIF89a but not really".getBytes())));
        assertEquals(EngineException.Kind.IMAGE_REJECTED, e.kind());
    }
}
