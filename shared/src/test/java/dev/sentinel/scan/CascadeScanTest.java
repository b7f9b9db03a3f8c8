package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sentinel.engine.CascadeEngine;
import dev.sentinel.engine.embedded.EmbeddedEngine;
import dev.sentinel.policy.Action;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import org.junit.jupiter.api.Test;

/** The cascade with the real embedded model in front of the real Rekognition client (stood in over HTTP). */
class CascadeScanTest {

    private final ScanFixture fx = new ScanFixture();
    private final CascadeEngine cascade = new CascadeEngine(EmbeddedEngine.bundled(), fx.engine(), 2.0);
    private final ScanService service = fx.service(cascade);

    @Test
    void imageTheEmbeddedEngineCallsClearlySafeNeverReachesRekognition() {
        // nsfwjs scores this street scene under 0.1% on every unsafe class.
        Verdict verdict = decided(service.scan(fx.upload("clear.jpg",
                TestAws.photo("reg-test-input_labelme-subset_q2821.jpg"))));

        assertEquals(Action.ALLOW, verdict.action());
        assertEquals("cascade/embedded", verdict.engine());
        assertEquals("nsfwjs-mobilenet_v2@4.4.0", verdict.modelVersion());
        assertEquals(0, fx.rekognition.requests().size());
    }

    @Test
    void uncertainImageIsDecidedByRekognition() {
        // nsfwjs gives this street scene about 19% Explicit: uncertain, so Rekognition decides.
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        fx.labels(photo, explicit(88));

        Verdict verdict = decided(service.scan(fx.upload("unsure.jpg", photo)));

        assertEquals("cascade/rekognition", verdict.engine());
        assertEquals("7.0", verdict.modelVersion());
        assertEquals(Action.QUARANTINE, verdict.action());
        assertEquals(PlacementState.QUARANTINED, verdict.placement().state());
        assertEquals(1, fx.rekognition.requests().size());
    }

    @Test
    void escalationThresholdDecidesWhatIsUncertain() {
        ScanService lenient = fx.service(new CascadeEngine(EmbeddedEngine.bundled(), fx.engine(), 25.0));

        Verdict verdict = decided(lenient.scan(fx.upload("lenient.jpg",
                TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"))));

        assertEquals("cascade/embedded", verdict.engine());
        assertEquals(0, fx.rekognition.requests().size());
        assertThrows(IllegalArgumentException.class, () -> new CascadeEngine(cascade, cascade, 0));
    }

    private static Verdict decided(ScanOutcome outcome) {
        return assertInstanceOf(ScanOutcome.Decided.class, outcome).verdict();
    }
}
