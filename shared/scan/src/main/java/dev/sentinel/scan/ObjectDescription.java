package dev.sentinel.scan;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;

/** How the scan's error messages name an object: its bucket and a fingerprint of its key, which may be personal. */
final class ObjectDescription {

    private ObjectDescription() {
    }

    static String of(ObjectRef ref) {
        return "object in " + ref.bucket() + " (key fingerprint " + StructuredLog.fingerprint(ref.key()) + ")";
    }
}
