package dev.sentinel.objects;

/** An object is larger than the caller agreed to read into memory. */
public class ObjectTooLargeException extends RuntimeException {

    private final long size;
    private final long limit;

    public ObjectTooLargeException(ObjectRef ref, long size, long limit) {
        super(ref + " is " + size + " bytes, over the " + limit + "-byte limit for reading it");
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
