package dev.sentinel.image;

/**
 * Every decoder of the process was still busy, stopping images that overran their time: nothing is known about
 * this image yet, so it is not refused (held) but tried again later, as any pipeline that cannot answer now is.
 */
public final class DecoderBusyException extends RuntimeException {

    public DecoderBusyException(String message) {
        super(message);
    }
}
