package dev.sentinel.local.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The notifications S3 would send for the object versions one S3 client creates, which the local S3 servers never
 * send. Put on that client as an execution interceptor, it records each PutObject, CopyObject and
 * CompleteMultipartUpload that succeeds in a notifying bucket, named by its version and by the event S3 gives it
 * ({@code ObjectCreated:Put}, {@code :Copy}, {@code :CompleteMultipartUpload}), for whoever stands in for the
 * notification to deliver.
 */
public final class ObjectCreatedNotifications implements ExecutionInterceptor {

    /** One object version created, and the event name of its notification. */
    public record Created(String eventName, String bucket, String key, String versionId) { }

    /** Where a request writes an object, if it does. */
    private record Target(String eventName, String bucket, String key) {
        String path() {
            return bucket + "/" + key;
        }
    }

    private final Set<String> notifyingBuckets;
    private final ConcurrentLinkedQueue<Created> pending = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> writing = new ConcurrentHashMap<>();

    /** @param notifyingBuckets the buckets whose notification configuration covers {@code s3:ObjectCreated:*} */
    public ObjectCreatedNotifications(Set<String> notifyingBuckets) {
        this.notifyingBuckets = Set.copyOf(notifyingBuckets);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        target(context.request()).ifPresent(target -> writing.merge(target.path(), 1, Integer::sum));
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        target(context.request()).ifPresent(target -> {
            pending.add(new Created(target.eventName(), target.bucket(), target.key(),
                    versionOf(context.response())));
            done(target);
        });
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        target(context.request()).ifPresent(this::done);
    }

    /** The versions created since the last call, in the order their calls returned. */
    public List<Created> drain() {
        List<Created> drained = new ArrayList<>();
        for (Created next = pending.poll(); next != null; next = pending.poll()) {
            drained.add(next);
        }
        return drained;
    }

    /**
     * True while a call of this client that creates an object at {@code bucket}/{@code key} is under way: a version
     * seen there now may be that call's, whose notification is not recorded yet.
     */
    public boolean writing(String bucket, String key) {
        return writing.containsKey(bucket + "/" + key);
    }

    private void done(Target target) {
        writing.computeIfPresent(target.path(), (path, calls) -> calls > 1 ? calls - 1 : null);
    }

    private Optional<Target> target(SdkRequest request) {
        Target target = null;
        if (request instanceof PutObjectRequest put) {
            target = new Target("ObjectCreated:Put", put.bucket(), put.key());
        } else if (request instanceof CopyObjectRequest copy) {
            target = new Target("ObjectCreated:Copy", copy.destinationBucket(), copy.destinationKey());
        } else if (request instanceof CompleteMultipartUploadRequest complete) {
            target = new Target("ObjectCreated:CompleteMultipartUpload", complete.bucket(), complete.key());
        }
        return Optional.ofNullable(target).filter(t -> notifyingBuckets.contains(t.bucket()));
    }

    private static String versionOf(SdkResponse response) {
        if (response instanceof PutObjectResponse put) {
            return put.versionId();
        }
        if (response instanceof CopyObjectResponse copy) {
            return copy.versionId();
        }
        return ((CompleteMultipartUploadResponse) response).versionId();
    }
}
