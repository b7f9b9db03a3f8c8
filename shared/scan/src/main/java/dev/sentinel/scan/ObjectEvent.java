package dev.sentinel.scan;

import dev.sentinel.objects.ObjectRef;
import java.time.Instant;

/**
 * One "object created" notification, keys already decoded.
 *
 * @param eTag      the ETag the event reported, without quotes; null if absent
 * @param eventName e.g. {@code ObjectCreated:Put}
 * @param eventTime when S3 says the event happened; null if absent or not an ISO-8601 instant
 */
public record ObjectEvent(ObjectRef object, String eTag, Long size, String eventName, Instant eventTime) {

    public boolean isUpload() {
        return eventName != null && eventName.startsWith("ObjectCreated:");
    }
}
