package dev.sentinel.cases;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.verdict.Verdict;

/**
 * Checks asked for through the API rather than by an upload: an object already in an uploads bucket (scanned exactly
 * as its upload would be, so it gets the same verdict and placement), or image bytes sent inline (an image
 * generator checking its output before publishing it). A dry run judges without storing or moving anything.
 *
 * <p>A check must answer within the API's time. A stored object too large to read, judge and move in that time,
 * or one the engine (or a store) could not finish within its budget, is handed to the scan function through the
 * scan queue: the answer is then {@link StoredCheck.Queued} with the verdict id to poll, and the audit trail records
 * who asked. The object stays unpublished meanwhile, as every upload does until its verdict.
 *
 * <p>The scan path does the checking ({@code dev.sentinel.scan.OnDemandScans}, in the scan module); the routes see
 * only this, so the API functions that take no checks carry neither the scan path nor an engine.
 */
public interface OnDemandModeration {

    /** Bucket name recorded for images that were sent inline and never stored. */
    String INLINE = "inline";
    /** The audit entry saying who asked for a check that went to the queue. */
    String CHECK_QUEUED = "CHECK_QUEUED";

    /** What a check of a stored object came to: the verdict, or the check queued for the scan function. */
    sealed interface StoredCheck {
        /** @param earlier the verdict existed before this check (made by the scan of the upload, or an earlier check) */
        record Decided(Verdict verdict, boolean earlier) implements StoredCheck { }

        record Queued(String verdictId, Deferral why) implements StoredCheck { }
    }

    /** Why a check went to the queue. */
    enum Deferral {
        /** Over the size an API request can read, judge and move. */
        LARGE_OBJECT,
        /** The engine or a store could not finish within the API's time (slow, throttled, or another check runs). */
        NOT_WITHIN_TIME
    }

    /** Where checks that cannot finish in the API's time go: the scan queue, as a rescan request. */
    @FunctionalInterface
    interface CheckQueue {
        void enqueue(ObjectRef ref);
    }

    /**
     * Checks an object of an uploads bucket, or queues the check (see the interface comment).
     *
     * @throws ObjectTooLargeException     for a dry run of an object over the inline size: a dry run stores nothing,
     *                                     so there would be no verdict to poll
     * @throws CheckUnavailableException   when a dry run's engine cannot answer in time, or the queue cannot be reached
     * @throws InvalidCaseRequestException when the bucket is not an uploads bucket of this deployment
     * @throws CaseNotFoundException       when there is no such object
     */
    StoredCheck checkStored(ObjectRef ref, boolean dryRun, Actor caller);

    /**
     * Checks image bytes sent inline; unless a dry run, records the verdict (the same caller's same bytes keep their
     * first verdict).
     *
     * @throws CheckUnavailableException when the engine cannot answer in time
     */
    Verdict checkInline(byte[] bytes, boolean dryRun, String requestedBy);
}
