package dev.sentinel.testing;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 client (a function's, judged by its role) seen through a window: every call goes to it unchanged, the
 * object bytes read through it are counted as they arrive, and a test may make one chosen call fail as a network
 * failure would.
 */
public final class WatchedS3 {

    private final S3Client real;
    private final AtomicLong bytesRead = new AtomicLong();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile String failingMethod;
    private volatile int failingCall;

    public WatchedS3(S3Client real) {
        this.real = real;
    }

    /** The client the code under test gets. */
    public S3Client client() {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (self, method, args) -> {
                    int call = calls.computeIfAbsent(method.getName(), m -> new AtomicInteger()).incrementAndGet();
                    if (method.getName().equals(failingMethod) && call == failingCall) {
                        throw SdkClientException.create("injected failure of " + method.getName() + " call " + call);
                    }
                    Object result;
                    try {
                        result = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof ResponseInputStream<?> stream) {
                        return counted(stream);
                    }
                    return result;
                });
    }

    /** Object bytes read through the client so far. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** Calls of an S3Client method (e.g. {@code uploadPartCopy}) so far. */
    public int calls(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    /** The {@code nth} call of {@code method} from now on fails before it reaches S3. */
    public void failCall(String method, int nth) {
        failingCall = calls(method) + nth;
        failingMethod = method;
    }

    private <R> ResponseInputStream<R> counted(ResponseInputStream<R> stream) {
        InputStream counting = new FilterInputStream(stream) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    bytesRead.addAndGet(n);
                }
                return n;
            }
        };
        return new ResponseInputStream<>(stream.response(), counting);
    }
}
