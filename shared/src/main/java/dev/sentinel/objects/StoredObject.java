package dev.sentinel.objects;

import java.time.Instant;
import java.util.Map;

/** What the object store says about an object without reading its bytes. */
public record StoredObject(ObjectRef ref, long size, String eTag, String contentType, Instant lastModified,
                           Map<String, String> metadata) {

    public StoredObject {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
