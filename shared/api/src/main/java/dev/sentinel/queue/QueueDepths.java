package dev.sentinel.queue;

import dev.sentinel.metrics.Metrics;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Run on a schedule: how many uploads wait to be scanned and how many gave up into the dead-letter queue, as
 * metrics beside the pipeline's own. Every dead letter is an upload that is still not public and that nobody has
 * decided, so the dashboard shows it next to the decisions.
 */
public final class QueueDepths {

    public static final String SCAN_QUEUE_DEPTH = "ScanQueueDepth";
    public static final String DEAD_LETTER_DEPTH = "DeadLetterDepth";

    /** Messages waiting (visible) and being worked on (in flight) in each queue. */
    public record Depths(long scanQueue, long deadLetters) { }

    private final SqsClient sqs;
    private final String scanQueueUrl;
    private final String deadLetterQueueUrl;
    private final Metrics metrics;

    public QueueDepths(SqsClient sqs, String scanQueueUrl, String deadLetterQueueUrl, Metrics metrics) {
        this.sqs = sqs;
        this.scanQueueUrl = scanQueueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.metrics = metrics;
    }

    public Depths check() {
        Depths depths = new Depths(depth(scanQueueUrl), depth(deadLetterQueueUrl));
        metrics.count(SCAN_QUEUE_DEPTH, depths.scanQueue(), Map.of());
        metrics.count(DEAD_LETTER_DEPTH, depths.deadLetters(), Map.of());
        metrics.flush();
        return depths;
    }

    private long depth(String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                + Long.parseLong(attributes.getOrDefault(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
    }
}
