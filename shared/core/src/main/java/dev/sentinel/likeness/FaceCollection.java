package dev.sentinel.likeness;

import java.util.List;

/**
 * The face collection of registered people. Only the registration function indexes and deletes; only the scan
 * function searches. What it returns stays inside the system: no API answers with face ids or similarities.
 */
public interface FaceCollection {

    /**
     * What indexing one reference photo came to.
     *
     * @param faceIds  the faces indexed (with quality filtering and at most one a photo: none or one)
     * @param refusals why faces were not indexed, as Rekognition names it (EXCEEDS_MAX_FACES, LOW_SHARPNESS, ...)
     */
    record Indexed(List<String> faceIds, List<String> refusals) {
        public Indexed {
            faceIds = List.copyOf(faceIds);
            refusals = List.copyOf(refusals);
        }
    }

    /** A registered face the searched face matches, kept internal. */
    record Match(String registrationId, String faceId, double similarity) { }

    /** Indexes the largest face of {@code photo} (JPEG or PNG bytes) under {@code registrationId}. */
    Indexed index(byte[] photo, String registrationId);

    /**
     * Searches with the largest face in {@code faceImage} (a crop around one face).
     *
     * @return matches at or above {@code threshold}; empty when none, or when the crop shows no face after all
     * @throws LikenessUnavailableException when the collection cannot be searched now
     */
    List<Match> search(byte[] faceImage, double threshold);

    /** Deletes these faces; faces already gone count as deleted. */
    void delete(List<String> faceIds);
}
