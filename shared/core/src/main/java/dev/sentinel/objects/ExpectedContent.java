package dev.sentinel.objects;

/**
 * What a copy must prove it holds: the object's size and, for bytes this pipeline read and judged, their SHA-256;
 * for bytes it never read, the full-object checksum S3 keeps for them.
 *
 * @param sha256   hex SHA-256 of the judged bytes, or null when they were not read
 * @param checksum S3's checksum of the object when it was judged, or null when S3 had none
 */
public record ExpectedContent(long size, String sha256, ObjectChecksum checksum) {

    /** Whether the bytes were read and hashed by this pipeline. */
    public boolean hashed() {
        return sha256 != null;
    }
}
