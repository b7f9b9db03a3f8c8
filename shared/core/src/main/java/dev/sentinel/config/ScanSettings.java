package dev.sentinel.config;

import dev.sentinel.image.ImageDecoder;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.safety.SafetySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the scan pipeline is told by its environment, validated once at start.
 *
 * @param uploadBuckets    buckets whose uploads are scanned; empty means any bucket but the quarantine one
 * @param quarantineBucket where violating objects are moved
 * @param verdictTable     the DynamoDB table of verdicts
 * @param policySource     where the policy document is ({@code bundled:NAME}, {@code file:PATH})
 * @param maxObjectBytes   larger objects are not read; they are held for review
 * @param engine           which moderation engine decides: {@code rekognition} (production default),
 *                         {@code embedded} (offline), {@code cascade} (embedded first, Rekognition for the rest)
 * @param cascadeEscalateAt the cascade sends an image to Rekognition when the embedded engine scores any label at
 *                         or above this percentage
 * @param hashBankTable    DynamoDB table of the hash bank and content index; null to scan without hash matching
 * @param safety           child-safety settings (minor age, retention, outside review)
 * @param casesTable       where child-safety report records go; null for nowhere
 * @param retry            how deliveries of the same upload are kept apart and when retrying stops
 * @param deadlines        how a batch of deliveries fits the function's timeout
 * @param likeness         likeness protection (the face collection of registered people); null when off
 */
public record ScanSettings(Set<String> uploadBuckets, String quarantineBucket, String verdictTable,
                           String policySource, long maxObjectBytes, String engine, double cascadeEscalateAt,
                           String hashBankTable, SafetySettings safety, String casesTable, Retry retry,
                           Deadlines deadlines, LikenessSettings likeness) {

    /**
     * @param claimTtl          how long a delivery holds its claim on an upload; a crashed holder's claim lapses
     *                          after this, so it must exceed the longest scan and stay under the queue's visibility
     *                          timeout
     * @param holdAfterAttempts on this delivery attempt (the queue's {@code maxReceiveCount}) an engine that still
     *                          cannot answer no longer fails the delivery: the upload is held for review instead,
     *                          so it reaches a person rather than only the dead-letter queue
     */
    public record Retry(Duration claimTtl, int holdAfterAttempts) {
        public static final Retry DEFAULT = new Retry(Duration.ofMinutes(2), 5);
    }

    /**
     * What one scan may cost in time, so that a batch never runs into the function's timeout (which would return
     * every message of the batch, finished or not, to the queue). A scan makes at most two Rekognition calls
     * (moderation labels, then face ages) plus, with likeness protection, a face search round; each call ends within
     * {@code rekognition}'s call timeout. A scan also needs
     * {@code reserve} for everything else: reading, hashing and decoding the object (decoding is time-boxed),
     * storing the verdict and moving the object.
     *
     * @param functionTimeout the function's timeout in the template; a scan must fit it with room to spare
     * @param rekognition     attempts and timeouts of each Rekognition call
     * @param reserve         what one scan needs beside its engine calls
     */
    public record Deadlines(Duration functionTimeout, RekognitionBounds rekognition, Duration reserve) {
        public static final Deadlines DEFAULT = new Deadlines(Duration.ofSeconds(60), RekognitionBounds.DEFAULT,
                Duration.ofSeconds(15));

        /** The longest one scan can take without likeness protection. */
        public Duration perScan() {
            return perScan(false);
        }

        /**
         * The longest one scan can take: a batch starts another only while this much time is left. The likeness
         * check adds three call timeouts at most: finding the faces, then searches that start within one call's
         * time, the last of them bounded by another.
         */
        public Duration perScan(boolean likenessChecked) {
            return rekognition.callTimeout().multipliedBy(rekognitionCalls(likenessChecked)).plus(reserve);
        }

        static int rekognitionCalls(boolean likenessChecked) {
            return likenessChecked ? 5 : 2;
        }
    }

    public static final long DEFAULT_MAX_OBJECT_BYTES = 50L * 1024 * 1024;
    /**
     * Low on purpose: a score the embedded engine gives safe photos (up to 19% measured) still goes to Rekognition;
     * only images it is nearly sure about skip it. See docs/embedded-engine.md.
     */
    public static final double DEFAULT_CASCADE_ESCALATE_AT = 2.0;
    /** The policy an engine uses when none is configured: the embedded engine's scores need their own thresholds. */
    public static final String EMBEDDED_POLICY = "bundled:embedded-v7";

    public ScanSettings {
        uploadBuckets = Set.copyOf(uploadBuckets);
        retry = retry == null ? Retry.DEFAULT : retry;
        deadlines = deadlines == null ? Deadlines.DEFAULT : deadlines;
    }

    /** Without likeness protection. */
    public ScanSettings(Set<String> uploadBuckets, String quarantineBucket, String verdictTable, String policySource,
                        long maxObjectBytes, String engine, double cascadeEscalateAt, String hashBankTable,
                        SafetySettings safety, String casesTable, Retry retry, Deadlines deadlines) {
        this(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine, cascadeEscalateAt,
                hashBankTable, safety, casesTable, retry, deadlines, null);
    }

    public ScanSettings(Set<String> uploadBuckets, String quarantineBucket, String verdictTable, String policySource,
                        long maxObjectBytes, String engine, double cascadeEscalateAt, String hashBankTable,
                        SafetySettings safety, String casesTable, Retry retry) {
        this(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine, cascadeEscalateAt,
                hashBankTable, safety, casesTable, retry, Deadlines.DEFAULT);
    }

    public ScanSettings(Set<String> uploadBuckets, String quarantineBucket, String verdictTable, String policySource,
                        long maxObjectBytes, String engine, double cascadeEscalateAt, String hashBankTable,
                        SafetySettings safety, String casesTable) {
        this(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine, cascadeEscalateAt,
                hashBankTable, safety, casesTable, Retry.DEFAULT);
    }

    public ScanSettings(Set<String> uploadBuckets, String quarantineBucket, String verdictTable, String policySource,
                        long maxObjectBytes, String engine) {
        this(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine,
                DEFAULT_CASCADE_ESCALATE_AT);
    }

    public ScanSettings(Set<String> uploadBuckets, String quarantineBucket, String verdictTable, String policySource,
                        long maxObjectBytes, String engine, double cascadeEscalateAt) {
        this(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine, cascadeEscalateAt,
                null, SafetySettings.defaults(), null);
    }

    public ScanSettings withHashBank(String table) {
        return new ScanSettings(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine,
                cascadeEscalateAt, table, safety, casesTable, retry, deadlines, likeness);
    }

    public ScanSettings withCasesTable(String table) {
        return new ScanSettings(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine,
                cascadeEscalateAt, hashBankTable, safety, table, retry, deadlines, likeness);
    }

    public ScanSettings withRetry(Retry newRetry) {
        return new ScanSettings(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine,
                cascadeEscalateAt, hashBankTable, safety, casesTable, newRetry, deadlines, likeness);
    }

    public ScanSettings withDeadlines(Deadlines newDeadlines) {
        return new ScanSettings(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine,
                cascadeEscalateAt, hashBankTable, safety, casesTable, retry, newDeadlines, likeness);
    }

    /** The longest one scan can take with these settings ({@link Deadlines#perScan(boolean)}). */
    public Duration longestScan() {
        return deadlines.perScan(likeness != null);
    }

    /** These settings with likeness protection on (or off, for null). */
    public ScanSettings withLikeness(LikenessSettings newLikeness) {
        return new ScanSettings(uploadBuckets, quarantineBucket, verdictTable, policySource, maxObjectBytes, engine,
                cascadeEscalateAt, hashBankTable, safety, casesTable, retry, deadlines, newLikeness);
    }

    public boolean scans(String bucket) {
        return !bucket.equals(quarantineBucket) && (uploadBuckets.isEmpty() || uploadBuckets.contains(bucket));
    }

    /**
     * Reads {@code UPLOAD_BUCKETS} (comma-separated), {@code QUARANTINE_BUCKET}, {@code VERDICTS_TABLE},
     * {@code POLICY_SOURCE}, {@code MAX_OBJECT_BYTES}, {@code MODERATION_ENGINE}, {@code SCAN_CLAIM_SECONDS},
     * {@code SCAN_HOLD_AFTER_ATTEMPTS}, {@code SCAN_FUNCTION_TIMEOUT_SECONDS}, {@code SCAN_RESERVE_SECONDS} and the
     * Rekognition bounds ({@link RekognitionBounds#SCAN_PREFIX}), checking that a scan fits the function's timeout.
     */
    public static ScanSettings fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String quarantine = required(env, "QUARANTINE_BUCKET", problems);
        String table = required(env, "VERDICTS_TABLE", problems);
        Set<String> uploads = Arrays.stream(env.getOrDefault("UPLOAD_BUCKETS", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        if (quarantine != null && uploads.contains(quarantine)) {
            problems.add("UPLOAD_BUCKETS must not include the quarantine bucket " + quarantine);
        }
        long maxBytes = DEFAULT_MAX_OBJECT_BYTES;
        String max = env.get("MAX_OBJECT_BYTES");
        if (max != null && !max.isBlank()) {
            try {
                maxBytes = Long.parseLong(max.trim());
                if (maxBytes < 1) {
                    problems.add("MAX_OBJECT_BYTES must be positive, was " + max);
                }
            } catch (NumberFormatException e) {
                problems.add("MAX_OBJECT_BYTES must be a whole number of bytes, was '" + max + "'");
            }
        }
        String engine = env.getOrDefault("MODERATION_ENGINE", "rekognition").trim();
        if (!Set.of("rekognition", "embedded", "cascade").contains(engine)) {
            problems.add("MODERATION_ENGINE must be rekognition, embedded or cascade, was '" + engine + "'");
        }
        double escalateAt = DEFAULT_CASCADE_ESCALATE_AT;
        String escalate = env.get("CASCADE_ESCALATE_AT");
        if (escalate != null && !escalate.isBlank()) {
            try {
                escalateAt = Double.parseDouble(escalate.trim());
            } catch (NumberFormatException e) {
                escalateAt = Double.NaN;
            }
            if (!(escalateAt > 0 && escalateAt <= 100)) {
                problems.add("CASCADE_ESCALATE_AT must be a percentage above 0 and at most 100, was '" + escalate
                        + "'");
            }
        }
        int claimSeconds = wholeNumber(env, "SCAN_CLAIM_SECONDS", (int) Retry.DEFAULT.claimTtl().toSeconds(), 1,
                problems);
        int holdAfter = wholeNumber(env, "SCAN_HOLD_AFTER_ATTEMPTS", Retry.DEFAULT.holdAfterAttempts(), 1, problems);
        LikenessSettings likeness = LikenessSettings.fromEnvironment(env);
        Deadlines deadlines = deadlines(env, Duration.ofSeconds(claimSeconds), likeness != null, problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException("scan configuration is invalid: " + String.join("; ", problems));
        }
        String policy = env.getOrDefault("POLICY_SOURCE", "");
        String bank = env.getOrDefault("HASH_BANK_TABLE", "").trim();
        return new ScanSettings(uploads, quarantine, table, policy.isBlank() ? defaultPolicyFor(engine) : policy,
                maxBytes, engine, escalateAt, bank.isEmpty() ? null : bank, SafetyEnvironment.read(env),
                env.getOrDefault("CASES_TABLE", "").isBlank() ? null : env.get("CASES_TABLE").trim(),
                new Retry(Duration.ofSeconds(claimSeconds), holdAfter), deadlines, likeness);
    }

    private static Deadlines deadlines(Map<String, String> env, Duration claimTtl, boolean likenessChecked,
                                       List<String> problems) {
        Deadlines fallback = Deadlines.DEFAULT;
        int timeout = wholeNumber(env, "SCAN_FUNCTION_TIMEOUT_SECONDS", (int) fallback.functionTimeout().toSeconds(),
                1, problems);
        int reserve = wholeNumber(env, "SCAN_RESERVE_SECONDS", (int) fallback.reserve().toSeconds(), 1, problems);
        Deadlines deadlines = new Deadlines(Duration.ofSeconds(timeout), RekognitionBounds.fromEnvironment(env,
                RekognitionBounds.SCAN_PREFIX, fallback.rekognition(), problems), Duration.ofSeconds(reserve));
        if (deadlines.reserve().compareTo(ImageDecoder.DEFAULT_TIME_LIMIT) <= 0) {
            problems.add("SCAN_RESERVE_SECONDS (" + reserve + ") must exceed the " + ImageDecoder.DEFAULT_TIME_LIMIT
                    .toSeconds() + " s an image may take to decode");
        }
        long perScan = deadlines.perScan(likenessChecked).toMillis();
        if (perScan >= deadlines.functionTimeout().toMillis()) {
            problems.add("one scan may take " + perScan + " ms (" + Deadlines.rekognitionCalls(likenessChecked)
                    + " x REKOGNITION_CALL_TIMEOUT_MS + SCAN_RESERVE_SECONDS)"
                    + ", which does not fit SCAN_FUNCTION_TIMEOUT_SECONDS (" + timeout + "): lower the Rekognition "
                    + "bounds or raise the function's timeout with it");
        }
        if (perScan >= claimTtl.toMillis()) {
            problems.add("SCAN_CLAIM_SECONDS (" + claimTtl.toSeconds() + ") must exceed the longest scan (" + perScan
                    + " ms), or a live scan's claim could lapse and a duplicate delivery decide beside it");
        }
        return deadlines;
    }

    static int wholeNumber(Map<String, String> env, String name, int fallback, int min, List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + " must be a whole number of at least " + min + ", was '" + raw + "'");
        return fallback;
    }

    public static String defaultPolicyFor(String engine) {
        return engine.equals("embedded") ? EMBEDDED_POLICY : PolicyLoader.DEFAULT_SOURCE;
    }

    private static String required(Map<String, String> env, String name, List<String> problems) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            problems.add(name + " is not set");
            return null;
        }
        return value.trim();
    }
}
