package dev.sentinel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.config.ConfigurationException;
import dev.sentinel.config.RekognitionBounds;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API functions' settings are checked at start, every problem named at once. */
class ApiSettingsTest {

    @Test
    void onDemandChecksAreBoundedByDefaultAndAsConfigured() {
        assertEquals(ApiSettings.Checks.DEFAULT, ApiSettings.fromEnvironment(Map.of("CASES_TABLE", "cases")).checks());
        ApiSettings.Checks checks = ApiSettings.fromEnvironment(Map.of("CASES_TABLE", "cases",
                "CHECK_REKOGNITION_MAX_ATTEMPTS", "2", "CHECK_REKOGNITION_ATTEMPT_TIMEOUT_MS", "2000",
                "CHECK_REKOGNITION_CALL_TIMEOUT_MS", "4000", "CHECK_INLINE_MAX_BYTES", "1048576")).checks();
        assertEquals(new ApiSettings.Checks(new RekognitionBounds(2, Duration.ofSeconds(2), Duration.ofSeconds(4)),
                1_048_576), checks);
    }

    @Test
    void aBudgetThatCannotFitTheApiTimeoutStopsTheFunctionWithEveryProblemNamed() {
        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> ApiSettings.fromEnvironment(
                Map.of("CASES_TABLE", "cases", "CHECK_REKOGNITION_CALL_TIMEOUT_MS", "30000",
                        "CHECK_INLINE_MAX_BYTES", "lots", "APPEAL_WINDOW", "forever")));
        String message = refused.getMessage();
        assertTrue(message.contains("CHECK_REKOGNITION_CALL_TIMEOUT_MS must be at most "
                + ApiSettings.Checks.MAX_CALL_TIMEOUT.toMillis() + " (two calls and a decode within 29 s), was 30000"),
                message);
        assertTrue(message.contains("CHECK_INLINE_MAX_BYTES"), message);
        assertTrue(message.contains("APPEAL_WINDOW"), message);
        assertThrows(ConfigurationException.class, () -> ApiSettings.fromEnvironment(Map.of("CASES_TABLE", "c",
                "CHECK_REKOGNITION_ATTEMPT_TIMEOUT_MS", "5000", "CHECK_REKOGNITION_CALL_TIMEOUT_MS", "4000")));
    }
}
