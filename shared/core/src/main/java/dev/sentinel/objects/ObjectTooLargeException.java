package dev.sentinel.objects;

/** An object is larger than an operation on it allows: reading it into memory, or copying it in one request. */
public class ObjectTooLargeException extends RuntimeException {

    private final long size;
    private final long limit;

    public ObjectTooLargeException(ObjectRef ref, long size, long limit) {
        this(ref, size, limit, "reading it");
    }

    public ObjectTooLargeException(ObjectRef ref, long size, long limit, String forWhat) {
        super(ref + " is " + size + " bytes, over the " + limit + "-byte limit for " + forWhat);
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
