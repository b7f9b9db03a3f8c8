package dev.sentinel.queue;

import dev.sentinel.objects.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Sends rescan requests to the scan queue, ten to a batch (SQS's limit). */
public final class QueuedRescans implements PrefixRescan.Sink {

    private static final int BATCH = 10;

    private final SqsClient sqs;
    private final String queueUrl;
    private final List<ObjectRef> pending = new ArrayList<>(BATCH);
    private int sent;

    public QueuedRescans(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void submit(ObjectRef ref) {
        pending.add(ref);
        if (pending.size() == BATCH) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            entries.add(SendMessageBatchRequestEntry.builder().id("r" + i)
                    .messageBody(RescanRequests.message(pending.get(i))).build());
        }
        SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        if (!response.failed().isEmpty()) {
            // Nothing is dropped quietly: the caller sees the failure and can run the same page again.
            throw new IllegalStateException(response.failed().size() + " of " + entries.size()
                    + " rescan requests were refused by the queue: " + response.failed().get(0).message());
        }
        sent += entries.size();
        pending.clear();
    }

    /** Requests accepted by the queue so far. */
    public int sent() {
        return sent;
    }
}
