package dev.sentinel.scan;

import java.util.List;

/**
 * One unit the platform retries as a whole: an SQS message (which may carry several S3 records), or one record of
 * a direct S3 invocation.
 *
 * @param id       the SQS message id, reported back on failure so only that message is retried; for a direct S3
 *                 invocation, {@code record-N}
 * @param source   SQS (failures reported per message) or a direct S3 invocation (failures fail the invocation)
 * @param events   the uploads it announces (none for an S3 test event)
 * @param problems why some of its content could not be read; a delivery with problems is reported as failed, so
 *                 it ends in the dead-letter queue for a person instead of vanishing
 * @param attempt  which delivery of this message it is, from 1 (SQS {@code ApproximateReceiveCount})
 */
public record Delivery(String id, Source source, List<ObjectEvent> events, List<String> problems, int attempt) {

    /** How the notification reached the function, which decides how failures are reported back. */
    public enum Source { SQS, S3 }

    public Delivery {
        events = List.copyOf(events);
        problems = List.copyOf(problems);
        attempt = Math.max(1, attempt);
    }

    public Delivery(String id, Source source, List<ObjectEvent> events, List<String> problems) {
        this(id, source, events, problems, 1);
    }
}
