package dev.sentinel.queue;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;

/**
 * Walks every stored object under a prefix, in the uploads bucket and then its quarantine copies, and hands each to
 * a sink (a direct rescan locally, the scan queue in AWS). One call does one bounded page, so an API call stays
 * within its timeout; the cursor it returns continues the walk.
 */
public final class PrefixRescan {

    /** Takes one object to rescan. */
    public interface Sink {
        void submit(ObjectRef ref);

        /** Called at the end of each page, for sinks that batch. */
        default void flush() {
        }
    }

    /**
     * How far one page went.
     *
     * @param submitted  objects handed to the sink in this page
     * @param nextCursor where the next page starts; null when the walk is complete
     */
    public record Page(int submitted, String nextCursor) {
        public boolean complete() {
            return nextCursor == null;
        }
    }

    private static final String UPLOADS = "uploads";
    private static final String QUARANTINE = "quarantine";

    private final ObjectStore objects;
    private final String quarantineBucket;

    public PrefixRescan(ObjectStore objects, String quarantineBucket) {
        this.objects = objects;
        this.quarantineBucket = quarantineBucket;
    }

    /**
     * Submits up to {@code limit} objects under {@code prefix} of {@code uploadsBucket}, starting at {@code cursor}
     * (null for the start).
     */
    public Page page(String uploadsBucket, String prefix, String cursor, int limit, Sink sink) {
        String phase = UPLOADS;
        String listCursor = null;
        if (cursor != null) {
            int bar = cursor.indexOf('|');
            if (bar < 0 || !(cursor.startsWith(UPLOADS + "|") || cursor.startsWith(QUARANTINE + "|"))) {
                throw new IllegalArgumentException("cursor is not one this rescan returned");
            }
            phase = cursor.substring(0, bar);
            listCursor = cursor.length() == bar + 1 ? null : cursor.substring(bar + 1);
        }
        boolean inUploads = phase.equals(UPLOADS);
        String bucket = inUploads ? uploadsBucket : quarantineBucket;
        // Quarantine keys are the upload's key under a prefix naming its bucket (see Quarantine.destinationKey).
        String listPrefix = inUploads ? prefix : uploadsBucket + "/" + prefix;
        // Each quarantine version is one verdict's copy (identical bytes under two versions are two copies of one key).
        ObjectStore.Listing listing = inUploads ? objects.list(bucket, listPrefix, listCursor, limit)
                : objects.listVersions(bucket, listPrefix, listCursor, limit);
        for (ObjectRef ref : listing.objects()) {
            sink.submit(ref);
        }
        sink.flush();
        String next;
        if (listing.nextCursor() != null) {
            next = phase + "|" + listing.nextCursor();
        } else {
            next = inUploads ? QUARANTINE + "|" : null;
        }
        return new Page(listing.objects().size(), next);
    }
}
