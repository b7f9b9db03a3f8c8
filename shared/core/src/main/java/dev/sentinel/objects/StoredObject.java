package dev.sentinel.objects;

import java.time.Instant;
import java.util.Map;

/**
 * What the object store says about an object without reading its bytes.
 *
 * @param metadata the uploader's own (user-defined) metadata
 * @param checksum the checksum S3 keeps for it, or null when it has none
 */
public record StoredObject(ObjectRef ref, long size, String eTag, Instant lastModified, ObjectHeaders headers,
                           Map<String, String> metadata, ObjectChecksum checksum) {

    public StoredObject {
        headers = headers == null ? ObjectHeaders.NONE : headers;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public String contentType() {
        return headers.contentType();
    }
}
