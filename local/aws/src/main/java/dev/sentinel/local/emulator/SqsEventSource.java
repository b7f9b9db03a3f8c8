package dev.sentinel.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Plays Lambda's SQS poller for one event source mapping: receives up to the batch size, keeps gathering for the
 * batching window, invokes the function with the event Lambda builds from the messages, deletes what succeeded and
 * leaves the rest to come back (all of the batch when the function fails; with partial batch responses only the
 * messages it names). The queue itself counts receives and moves a message to its dead-letter queue after the
 * redrive policy's {@code maxReceiveCount}, as SQS does.
 *
 * <p>One liberty, to keep runs short: a failed message normally stays invisible for the queue's visibility timeout
 * (360 s in the template) before it is received again; {@code retryAfter} shortens that wait when given.
 */
public final class SqsEventSource implements AutoCloseable {

    /** A Lambda function as its runtime sees it: an event in, a response out; a thrown exception is a failure. */
    @FunctionalInterface
    public interface LambdaFunction {
        byte[] invoke(byte[] event) throws Exception;
    }

    /** One message of a batch: its id, how many times SQS has delivered it, and its body. */
    public record Received(String messageId, int receiveCount, String body) { }

    /**
     * One invocation: the batch, the ids that failed (and so were not deleted), and the function's error, if it
     * threw.
     */
    public record Invocation(List<Received> batch, Set<String> failed, String error) { }

    private final SqsClient sqs;
    private final String queueUrl;
    private final EventSourceMapping mapping;
    private final String region;
    private final LambdaFunction function;
    private final Duration retryAfter;
    private final Consumer<Invocation> listener;
    private final List<Invocation> invocations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger busy = new AtomicInteger();
    private final List<Thread> pollers = new ArrayList<>();
    private volatile boolean running = true;

    private SqsEventSource(SqsClient sqs, String queueUrl, EventSourceMapping mapping, String region,
                           LambdaFunction function, Duration retryAfter, Consumer<Invocation> listener) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.mapping = mapping;
        this.region = region;
        this.function = function;
        this.retryAfter = retryAfter;
        this.listener = listener;
    }

    /**
     * Starts the mapping's pollers ({@code MaximumConcurrency} of them, each invoking one batch at a time).
     *
     * @param retryAfter how long a failed message stays invisible; null for the queue's own visibility timeout
     * @param listener   told of every invocation, on the poller's thread
     */
    public static SqsEventSource start(SqsClient sqs, String queueUrl, EventSourceMapping mapping, String region,
                                       LambdaFunction function, Duration retryAfter, Consumer<Invocation> listener) {
        if (!mapping.enabled()) {
            throw new IllegalStateException(mapping.logicalId() + " is disabled in the template");
        }
        SqsEventSource source = new SqsEventSource(sqs, queueUrl, mapping, region, function, retryAfter, listener);
        for (int i = 0; i < mapping.maximumConcurrency(); i++) {
            Thread poller = new Thread(source::poll, "sqs-poller-" + mapping.logicalId() + "-" + i);
            poller.setDaemon(true);
            source.pollers.add(poller);
            poller.start();
        }
        return source;
    }

    public EventSourceMapping mapping() {
        return mapping;
    }

    /** Every invocation so far, in the order they finished. */
    public List<Invocation> invocations() {
        synchronized (invocations) {
            return List.copyOf(invocations);
        }
    }

    /**
     * Waits until the queue holds no message, visible or in flight, and no invocation is running.
     *
     * @return false if that did not happen within {@code timeout}
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, String> depth = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributesAsStrings();
            if (busy.get() == 0 && depth.values().stream().allMatch("0"::equals)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }

    private void poll() {
        while (running) {
            try {
                List<Message> batch = gather();
                if (batch.isEmpty()) {
                    continue;
                }
                busy.incrementAndGet();
                try {
                    invoke(batch);
                } finally {
                    busy.decrementAndGet();
                }
            } catch (RuntimeException e) {
                if (running) {
                    // The emulator went away or refused a call: Lambda's poller backs off and polls again.
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
    }

    /** Up to the batch size, gathering until it is full or the batching window since the first message closes. */
    private List<Message> gather() {
        // A short long-poll, so that close() is answered within a second.
        List<Message> batch = new ArrayList<>(receive(mapping.batchSize(), 1));
        if (batch.isEmpty()) {
            return batch;
        }
        long windowEnds = System.nanoTime() + mapping.batchingWindow().toNanos();
        while (batch.size() < mapping.batchSize() && System.nanoTime() < windowEnds && running) {
            List<Message> more = receive(mapping.batchSize() - batch.size(), 0);
            if (more.isEmpty()) {
                sleep(Duration.ofMillis(50));
            }
            batch.addAll(more);
        }
        return batch;
    }

    private List<Message> receive(int wanted, int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(Math.min(10, wanted))
                .waitTimeSeconds(waitSeconds).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    private void invoke(List<Message> batch) {
        List<String> ids = batch.stream().map(Message::messageId).toList();
        Set<String> failed;
        String error = null;
        try {
            byte[] response = function.invoke(DeclaredProperty.write(event(batch)).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            failed = mapping.reportBatchItemFailures() ? failures(response, ids) : Set.of();
        } catch (Exception e) {
            failed = new LinkedHashSet<>(ids);
            error = e.toString();
        }
        List<Message> done = new ArrayList<>();
        List<Message> again = new ArrayList<>();
        for (Message message : batch) {
            (failed.contains(message.messageId()) ? again : done).add(message);
        }
        if (!done.isEmpty()) {
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done.stream().map(m ->
                    DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle())
                            .build()).toList()));
        }
        if (!again.isEmpty() && retryAfter != null) {
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(again.stream().map(m ->
                    ChangeMessageVisibilityBatchRequestEntry.builder().id(m.messageId())
                            .receiptHandle(m.receiptHandle()).visibilityTimeout((int) retryAfter.toSeconds())
                            .build()).toList()));
        }
        Invocation invocation = new Invocation(batch.stream().map(m -> new Received(m.messageId(),
                Integer.parseInt(m.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "1")), m.body()))
                .toList(), Set.copyOf(failed), error);
        invocations.add(invocation);
        listener.accept(invocation);
    }

    /**
     * The records Lambda gives the function: each message with its receipt handle, system attributes, message
     * attributes in Lambda's own spelling, and where it came from.
     */
    private ObjectNode event(List<Message> batch) {
        ObjectNode event = DeclaredProperty.JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : batch) {
            ObjectNode record = records.addObject().put("messageId", message.messageId())
                    .put("receiptHandle", message.receiptHandle()).put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            message.attributesAsStrings().forEach(attributes::put);
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> messageAttributes.set(name, attribute(value)));
            record.put("md5OfBody", message.md5OfBody());
            if (message.md5OfMessageAttributes() != null) {
                record.put("md5OfMessageAttributes", message.md5OfMessageAttributes());
            }
            record.put("eventSource", "aws:sqs").put("eventSourceARN", mapping.queueArn()).put("awsRegion", region);
        }
        return event;
    }

    private static ObjectNode attribute(MessageAttributeValue value) {
        ObjectNode out = DeclaredProperty.JSON.createObjectNode();
        if (value.stringValue() != null) {
            out.put("stringValue", value.stringValue());
        }
        if (value.binaryValue() != null) {
            out.put("binaryValue", java.util.Base64.getEncoder().encodeToString(value.binaryValue().asByteArray()));
        }
        out.putArray("stringListValues");
        out.putArray("binaryListValues");
        out.put("dataType", value.dataType());
        return out;
    }

    /**
     * The ids a partial batch response names. As Lambda does, a response that is not JSON, or names an item that is
     * empty or not in the batch, fails the whole batch; no {@code batchItemFailures} at all is a success.
     */
    private static Set<String> failures(byte[] response, List<String> ids) {
        Set<String> all = new LinkedHashSet<>(ids);
        if (response == null || response.length == 0) {
            return Set.of();
        }
        JsonNode answer;
        try {
            answer = DeclaredProperty.JSON.readTree(response);
        } catch (java.io.IOException e) {
            return all;
        }
        if (answer == null || answer.isNull() || answer.path("batchItemFailures").isMissingNode()
                || answer.path("batchItemFailures").isNull()) {
            return Set.of();
        }
        Set<String> failed = new LinkedHashSet<>();
        for (JsonNode item : answer.path("batchItemFailures")) {
            String id = item.path("itemIdentifier").asText("");
            if (!all.contains(id)) {
                return all;
            }
            failed.add(id);
        }
        return failed;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops polling; an invocation under way finishes first. */
    @Override
    public void close() {
        running = false;
        for (Thread poller : pollers) {
            try {
                poller.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
