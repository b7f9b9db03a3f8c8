package dev.sentinel.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How long one Rekognition call (DetectModerationLabels or DetectFaces) may take: at most {@code attempts}
 * attempts, each cut off after {@code attemptTimeout}, and the whole call, retries and backoff included, cut off
 * after {@code callTimeout}. A slow or throttled Rekognition then fails the call in bounded time, so a function
 * can plan what fits in its own timeout.
 */
public record RekognitionBounds(int attempts, Duration attemptTimeout, Duration callTimeout) {

    /** Three tries of 4 s within 8 s: DetectModerationLabels answers in well under a second when it is healthy. */
    public static final RekognitionBounds DEFAULT = new RekognitionBounds(3, Duration.ofSeconds(4),
            Duration.ofSeconds(8));

    /** Room for the jittered backoff between attempts when a call is bounded by its attempts alone. */
    private static final Duration BACKOFF_ALLOWANCE = Duration.ofSeconds(2);

    /** The scan function's variables; a function with a budget of its own reads them under another prefix. */
    public static final String SCAN_PREFIX = "REKOGNITION_";

    public RekognitionBounds {
        if (attempts < 1 || attemptTimeout.isNegative() || attemptTimeout.isZero()
                || attemptTimeout.compareTo(callTimeout) > 0) {
            throw new IllegalArgumentException("Rekognition bounds need at least one attempt and an attempt "
                    + "timeout above zero and not above the call timeout; were " + attempts + ", " + attemptTimeout
                    + ", " + callTimeout);
        }
    }

    /** Bounded by its attempts alone: the call may take all of them, with the backoff between them. */
    public static RekognitionBounds ofAttempts(int attempts, Duration attemptTimeout) {
        return new RekognitionBounds(attempts, attemptTimeout,
                attemptTimeout.multipliedBy(Math.max(1, attempts)).plus(BACKOFF_ALLOWANCE));
    }

    /**
     * Reads {@code <prefix>MAX_ATTEMPTS}, {@code <prefix>ATTEMPT_TIMEOUT_MS} and {@code <prefix>CALL_TIMEOUT_MS},
     * each defaulting to {@code fallback}'s; what is wrong is added to {@code problems} and the fallback used.
     */
    public static RekognitionBounds fromEnvironment(Map<String, String> env, String prefix, RekognitionBounds fallback,
                                                    List<String> problems) {
        int attempts = ScanSettings.wholeNumber(env, prefix + "MAX_ATTEMPTS", fallback.attempts(), 1, problems);
        int attemptMs = ScanSettings.wholeNumber(env, prefix + "ATTEMPT_TIMEOUT_MS",
                (int) fallback.attemptTimeout().toMillis(), 1, problems);
        int callMs = ScanSettings.wholeNumber(env, prefix + "CALL_TIMEOUT_MS", (int) fallback.callTimeout().toMillis(),
                1, problems);
        if (attemptMs > callMs) {
            problems.add(prefix + "ATTEMPT_TIMEOUT_MS (" + attemptMs + ") must not exceed " + prefix
                    + "CALL_TIMEOUT_MS (" + callMs + ")");
            return fallback;
        }
        return new RekognitionBounds(attempts, Duration.ofMillis(attemptMs), Duration.ofMillis(callMs));
    }

    /** The scan function's bounds ({@link #SCAN_PREFIX}); stops with every problem listed. */
    public static RekognitionBounds fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        RekognitionBounds bounds = fromEnvironment(env, SCAN_PREFIX, DEFAULT, problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Rekognition configuration is invalid: " + String.join("; ", problems));
        }
        return bounds;
    }
}
