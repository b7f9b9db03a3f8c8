package dev.sentinel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.config.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API functions' settings are checked at start, every problem named at once. */
class ApiSettingsTest {

    @Test
    void onDemandChecksAreBoundedByDefaultAndAsConfigured() {
        assertEquals(ApiSettings.Checks.DEFAULT, ApiSettings.fromEnvironment(Map.of("CASES_TABLE", "cases")).checks());
        ApiSettings.Checks checks = ApiSettings.fromEnvironment(Map.of("CASES_TABLE", "cases",
                "CHECK_ENGINE_SECONDS", "4", "CHECK_INLINE_MAX_BYTES", "1048576")).checks();
        assertEquals(new ApiSettings.Checks(Duration.ofSeconds(4), 1_048_576), checks);
    }

    @Test
    void aBudgetThatCannotFitTheApiTimeoutStopsTheFunctionWithEveryProblemNamed() {
        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> ApiSettings.fromEnvironment(
                Map.of("CASES_TABLE", "cases", "CHECK_ENGINE_SECONDS", "30", "CHECK_INLINE_MAX_BYTES", "lots",
                        "APPEAL_WINDOW", "forever")));
        String message = refused.getMessage();
        assertTrue(message.contains("CHECK_ENGINE_SECONDS must be a whole number from 1 to "
                + ApiSettings.Checks.MAX_ENGINE_SECONDS + ", was '30'"), message);
        assertTrue(message.contains("CHECK_INLINE_MAX_BYTES"), message);
        assertTrue(message.contains("APPEAL_WINDOW"), message);
        assertThrows(ConfigurationException.class, () -> ApiSettings.fromEnvironment(Map.of("CASES_TABLE", "c",
                "CHECK_ENGINE_SECONDS", "0")));
    }
}
