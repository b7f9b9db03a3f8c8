package dev.sentinel.queue;

import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Replays the scan dead-letter queue into the scan queue with SQS's own message move task, which moves messages in
 * order, keeps their bodies, and reports progress; nothing passes through this code, so nothing can be lost by it.
 */
public final class DeadLetterRedrive {

    /**
     * One move task as SQS reports it.
     *
     * @param status RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED
     */
    public record Task(String taskHandle, String status, long moved, long toMove, String failureReason) {
        public boolean finished() {
            return !status.equals("RUNNING") && !status.equals("CANCELLING");
        }
    }

    private final SqsClient sqs;
    private final String deadLetterQueueUrl;
    private final String scanQueueUrl;

    public DeadLetterRedrive(SqsClient sqs, String deadLetterQueueUrl, String scanQueueUrl) {
        this.sqs = sqs;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.scanQueueUrl = scanQueueUrl;
    }

    /** Messages waiting in the dead-letter queue (approximate, as SQS counts). */
    public long depth() {
        String count = sqs.getQueueAttributes(b -> b.queueUrl(deadLetterQueueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return count == null ? 0 : Long.parseLong(count);
    }

    /**
     * Starts moving every message of the dead-letter queue back to the scan queue.
     *
     * @param maxPerSecond velocity cap (null for SQS's default), so a large replay does not flood the engine
     */
    public Task start(Integer maxPerSecond) {
        String source = arnOf(deadLetterQueueUrl);
        String handle = sqs.startMessageMoveTask(b -> b.sourceArn(source).destinationArn(arnOf(scanQueueUrl))
                .maxNumberOfMessagesPerSecond(maxPerSecond)).taskHandle();
        return tasks().stream().filter(t -> handle.equals(t.taskHandle())).findFirst()
                .orElse(new Task(handle, "RUNNING", 0, depth(), null));
    }

    /** The most recent move tasks out of the dead-letter queue, newest first. */
    public List<Task> tasks() {
        String source = arnOf(deadLetterQueueUrl);
        return sqs.listMessageMoveTasks(b -> b.sourceArn(source).maxResults(10)).results().stream()
                .map(DeadLetterRedrive::task).toList();
    }

    private static Task task(ListMessageMoveTasksResultEntry entry) {
        return new Task(entry.taskHandle(), entry.status(),
                entry.approximateNumberOfMessagesMoved() == null ? 0 : entry.approximateNumberOfMessagesMoved(),
                entry.approximateNumberOfMessagesToMove() == null ? 0 : entry.approximateNumberOfMessagesToMove(),
                entry.failureReason());
    }

    private String arnOf(String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
}
