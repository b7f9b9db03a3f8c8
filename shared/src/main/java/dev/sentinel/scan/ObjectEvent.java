package dev.sentinel.scan;

import dev.sentinel.objects.ObjectRef;
import java.time.Instant;

/**
 * One "object created" notification, keys already decoded.
 *
 * @param eTag      the ETag the event reported, without quotes; null if absent
 * @param eventName e.g. {@code ObjectCreated:Put}
 */
public record ObjectEvent(ObjectRef object, String eTag, Long size, String eventName, Instant eventTime) {

    public boolean isUpload() {
        return eventName != null && eventName.startsWith("ObjectCreated:");
    }
}
