package dev.sentinel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scan function's deadlines, as its environment sets them, are checked against its timeout at start. */
class ScanSettingsTest {

    private static Map<String, String> environment(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("QUARANTINE_BUCKET", "quarantine",
                "VERDICTS_TABLE", "verdicts"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void rekognitionBoundsAndReserveComeFromTheEnvironment() {
        ScanSettings settings = ScanSettings.fromEnvironment(environment("SCAN_FUNCTION_TIMEOUT_SECONDS", "90",
                "REKOGNITION_MAX_ATTEMPTS", "4", "REKOGNITION_ATTEMPT_TIMEOUT_MS", "2500",
                "REKOGNITION_CALL_TIMEOUT_MS", "9000", "SCAN_RESERVE_SECONDS", "20"));

        ScanSettings.Deadlines deadlines = settings.deadlines();
        assertEquals(Duration.ofSeconds(90), deadlines.functionTimeout());
        assertEquals(new RekognitionBounds(4, Duration.ofMillis(2500), Duration.ofSeconds(9)), deadlines.rekognition());
        assertEquals(Duration.ofSeconds(38), deadlines.perScan(), "two engine calls and the reserve");
        assertEquals(ScanSettings.Deadlines.DEFAULT, ScanSettings.fromEnvironment(environment()).deadlines());
    }

    @Test
    void aScanThatCannotFitTheFunctionTimeoutStopsTheFunctionAtStart() {
        ConfigurationException tooSlow = assertThrows(ConfigurationException.class, () -> ScanSettings.fromEnvironment(
                environment("REKOGNITION_CALL_TIMEOUT_MS", "30000")));
        assertTrue(tooSlow.getMessage().contains("75000 ms") && tooSlow.getMessage().contains(
                "SCAN_FUNCTION_TIMEOUT_SECONDS (60)"), tooSlow.getMessage());

        String listed = assertThrows(ConfigurationException.class, () -> ScanSettings.fromEnvironment(environment(
                "REKOGNITION_ATTEMPT_TIMEOUT_MS", "9000", "SCAN_RESERVE_SECONDS", "5", "SCAN_CLAIM_SECONDS", "20")))
                .getMessage();
        assertTrue(listed.contains("REKOGNITION_ATTEMPT_TIMEOUT_MS (9000) must not exceed REKOGNITION_CALL_TIMEOUT_MS")
                && listed.contains("SCAN_RESERVE_SECONDS (5) must exceed") && listed.contains(
                "SCAN_CLAIM_SECONDS (20) must exceed the longest scan"), listed);
    }

    @Test
    void theLikenessSearchRoundCountsInTheLongestScanAndMustFitTheTimeout() {
        ScanSettings off = ScanSettings.fromEnvironment(environment());
        ScanSettings on = ScanSettings.fromEnvironment(environment("LIKENESS_COLLECTION", "likeness"));
        Duration call = on.deadlines().rekognition().callTimeout();
        assertEquals(off.deadlines().perScan(), off.longestScan());
        assertEquals(off.longestScan().plus(call.multipliedBy(3)), on.longestScan(),
                "finding faces, searches started within one call's time, the last bounded by another");

        // Fits without the search round (2 x 12 s + 15 s), not with it (5 x 12 s + 15 s).
        assertEquals(Duration.ofSeconds(39), ScanSettings.fromEnvironment(environment(
                "REKOGNITION_CALL_TIMEOUT_MS", "12000")).longestScan());
        ConfigurationException tooSlow = assertThrows(ConfigurationException.class, () -> ScanSettings.fromEnvironment(
                environment("REKOGNITION_CALL_TIMEOUT_MS", "12000", "LIKENESS_COLLECTION", "likeness")));
        assertTrue(tooSlow.getMessage().contains("75000 ms (5 x REKOGNITION_CALL_TIMEOUT_MS"), tooSlow.getMessage());
    }
}
