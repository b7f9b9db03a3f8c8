package dev.sentinel.objects;

import java.time.Instant;

/**
 * The HTTP headers S3 keeps with an object and serves with it, set when the object is written. A copy that replaces
 * an object's metadata replaces these too, so a copy carries them over explicitly.
 */
public record ObjectHeaders(String contentType, String cacheControl, String contentDisposition,
                           String contentEncoding, String contentLanguage, Instant expires) {

    public static final ObjectHeaders NONE = new ObjectHeaders(null, null, null, null, null, null);
}
