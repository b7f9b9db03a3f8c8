package dev.sentinel.likeness;

import java.time.Instant;

/**
 * A registered likeness found in an uploaded sexual image: kept so the person is alerted once per image, so a
 * reviewer can record whether it is really them, and for the transparency report's counts. Names the image by its
 * SHA-256 only.
 *
 * @param finding null until a reviewer decides; then {@link #SAME_PERSON} or {@link #NOT_THE_PERSON}
 */
public record LikenessMatch(String imageSha256, String registrationId, String reference, Instant matchedAt,
                            Instant reviewDue, String finding, String findingBy, Instant findingAt) {

    public static final String SAME_PERSON = "SAME_PERSON";
    public static final String NOT_THE_PERSON = "NOT_THE_PERSON";

    public LikenessMatch withFinding(String newFinding, String by, Instant at) {
        return new LikenessMatch(imageSha256, registrationId, reference, matchedAt, reviewDue, newFinding, by, at);
    }

    /** The reference a person quotes: the same for the same registration and image, and revealing neither. */
    public static String referenceFor(String registrationId, String imageSha256) {
        return "lm-" + dev.sentinel.hash.ContentHashes.sha256((registrationId + "\n" + imageSha256)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 24);
    }
}
