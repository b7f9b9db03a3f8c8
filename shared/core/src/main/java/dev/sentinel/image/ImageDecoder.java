package dev.sentinel.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads images with ImageIO (JPEG, PNG, GIF, BMP, TIFF from the JDK; WebP from the TwelveMonkeys plugin).
 *
 * <p>The header is read before any pixel: an image declaring more than {@code maxPixels}, or more than
 * {@link #DEFAULT_MAX_DECODED_BYTES} once decoded at full size (pixels x bands x bytes per sample: a 16-bit RGBA PNG
 * needs 8 bytes a pixel), is refused without decoding (under a megabyte can declare gigabytes). Large images are
 * decoded with source subsampling, so the decoded raster stays near the size asked for and within
 * {@link #DECODE_BUDGET_BYTES}, whatever the image declares. Only the first frame of an animation is read.
 *
 * <p>Decodes run in a process-wide pool of {@value #CONCURRENT_DECODES}: a decode that overruns its time limit is
 * told to stop ({@link ImageReader#abort()}, which the readers check between rows) and keeps its place in the pool
 * until it has, so abandoned decodes can never pile up and hold memory while the next images are read.
 */
public final class ImageDecoder {

    /** Rekognition's own ceiling is 10,000 x 10,000; nothing larger is worth the decode time. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    /** Long enough for any honest image of the allowed size on a small Lambda; hostile files can take forever. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(10);
    /** The pixel cap at 8-bit RGBA: anything larger at full size is not an image people share but a bomb. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 4 * DEFAULT_MAX_PIXELS;
    /** What one decode may hold: larger images are read with coarser subsampling (they are scaled down anyway). */
    public static final long DECODE_BUDGET_BYTES = 48L * 1024 * 1024;
    /** At most this many decodes run, abandoned ones included: the memory they can hold is bounded by it. */
    static final int CONCURRENT_DECODES = 2;
    private static final Semaphore DECODE_SLOTS = new Semaphore(CONCURRENT_DECODES);
    private static final AtomicLong STOPPED = new AtomicLong();

    /** Decodes run here so a hostile file that makes a decoder spin can be abandoned after the time limit. */
    private static final ExecutorService DECODING = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "image-decoding");
        thread.setDaemon(true);
        return thread;
    });

    private final long maxPixels;
    private final long maxDecodedBytes;
    private final Duration timeLimit;

    public ImageDecoder(long maxPixels, long maxDecodedBytes, Duration timeLimit) {
        if (maxPixels <= 0 || maxDecodedBytes <= 0 || timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("maxPixels, maxDecodedBytes and timeLimit must be positive");
        }
        this.maxPixels = maxPixels;
        this.maxDecodedBytes = maxDecodedBytes;
        this.timeLimit = timeLimit;
    }

    public ImageDecoder(long maxPixels, Duration timeLimit) {
        this(maxPixels, Math.max(DEFAULT_MAX_DECODED_BYTES, maxPixels > Long.MAX_VALUE / 4 ? Long.MAX_VALUE
                : 4 * maxPixels), timeLimit);
    }

    public ImageDecoder(long maxPixels) {
        this(maxPixels, DEFAULT_TIME_LIMIT);
    }

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** The dimensions the first frame's header declares, without decoding pixels. */
    public ImageSize readSize(byte[] bytes) {
        return withReader(bytes, reader -> declaredSize(reader));
    }

    /**
     * Decodes the first frame, subsampled so that its long side is at most about {@code 2 * maxLongSide} and its
     * raster within {@link #DECODE_BUDGET_BYTES}; callers scale the rest of the way smoothly.
     *
     * @throws UnreadableImageException the image is refused (not an image, over a cap, corrupt, or too slow)
     * @throws DecoderBusyException     no decoder was free in time: try again later
     */
    public BufferedImage decode(byte[] bytes, int maxLongSide) {
        return timeBoxed((reading, stop) -> decodeNow(bytes, maxLongSide, reading, stop));
    }

    /** Takes the composed frames of an animation one at a time; false stops the reading. */
    @FunctionalInterface
    public interface FrameSink {
        boolean frame(int index, BufferedImage composed);
    }

    /**
     * The frames of an animated GIF or WebP as a viewer shows them, each drawn over what the earlier ones left and
     * scaled to a long side of at most {@code maxLongSide}, handed to {@code sink} one after another, within the
     * same time limit and caps as {@link #decode}. An animated PNG is refused: ImageIO reads only its first frame.
     *
     * @return how many frames the image has (1 for a still image, which the sink gets as its only frame), or -1 when
     *         it has more than {@code maxFrames}
     */
    public int frames(byte[] bytes, int maxLongSide, int maxFrames, FrameSink sink) {
        if (AnimationFrames.isAnimatedPng(bytes)) {
            throw new UnreadableImageException("an animated PNG: only its first frame can be read here");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format != ImageFormat.GIF && format != ImageFormat.WEBP) {
            sink.frame(0, decode(bytes, maxLongSide));
            return 1;
        }
        return timeBoxed((reading, stop) -> withReader(bytes, false, reader -> {
            reading.set(reader);
            declaredSize(reader);
            ImageSize size = AnimationFrames.canvas(reader, bytes, format);
            if (size.pixels() > maxPixels) {
                throw new UnreadableImageException("the animation's canvas is " + size + ", more than the "
                        + maxPixels + " pixels this system decodes");
            }
            double scale = Math.min(1.0, (double) maxLongSide / size.longSide());
            return AnimationFrames.compose(reader, bytes, format, size.width(), size.height(), scale, maxFrames,
                    (index, composed) -> !stop.get() && sink.frame(index, AnimationFrames.overWhite(composed)));
        }));
    }

    /** Work on a reader: what it needs to stop when told to. */
    private interface BoxedWork<T> {
        T run(AtomicReference<ImageReader> reading, AtomicBoolean stop);
    }

    /** Runs one decoding in the bounded pool within the time limit; an overrun is told to stop and refused. */
    private <T> T timeBoxed(BoxedWork<T> work) {
        long deadline = System.nanoTime() + timeLimit.toNanos();
        try {
            if (!DECODE_SLOTS.tryAcquire(timeLimit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DecoderBusyException("no decoder was free within " + timeLimit.toMillis()
                        + " ms: earlier images are still being stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreadableImageException("decoding was interrupted", e);
        }
        AtomicReference<ImageReader> reading = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Future<T> decoding;
        try {
            decoding = DECODING.submit(() -> {
                try {
                    return work.run(reading, stop);
                } finally {
                    DECODE_SLOTS.release();
                }
            });
        } catch (RuntimeException e) {
            DECODE_SLOTS.release();
            throw e;
        }
        try {
            return decoding.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Interrupts mean nothing to ImageIO; the reader's own abort flag stops it at the next row. A reader
            // clears that flag when a read starts, so the decode also checks the stop as it goes.
            stop.set(true);
            ImageReader reader = reading.get();
            if (reader != null) {
                reader.abort();
            }
            decoding.cancel(true);
            throw new UnreadableImageException("decoding took longer than " + timeLimit.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnreadableImageException unreadable) {
                throw unreadable;
            }
            throw new UnreadableImageException("the image cannot be decoded: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            decoding.cancel(true);
            throw new UnreadableImageException("decoding was interrupted", e);
        }
    }

    private BufferedImage decodeNow(byte[] bytes, int maxLongSide, AtomicReference<ImageReader> reading,
                                    AtomicBoolean stop) {
        return withReader(bytes, reader -> {
            reading.set(reader);
            ImageSize size = declaredSize(reader);
            int bytesPerPixel = bytesPerPixel(reader);
            ImageReadParam param = reader.getDefaultReadParam();
            int step = Math.max(Math.max(1, size.longSide() / (2 * maxLongSide)),
                    (int) Math.ceil(Math.sqrt((double) size.pixels() * bytesPerPixel / DECODE_BUDGET_BYTES)));
            if (step > 1) {
                param.setSourceSubsampling(step, step, 0, 0);
            }
            boolean[] stopped = {false};
            reader.addIIOReadProgressListener(new IIOReadProgressListener() {
                @Override public void readAborted(ImageReader source) {
                    stopped[0] = true;
                }
                @Override public void sequenceStarted(ImageReader source, int minIndex) { }
                @Override public void sequenceComplete(ImageReader source) { }
                @Override public void imageStarted(ImageReader source, int imageIndex) {
                    stopIfAsked(source);
                }
                @Override public void imageProgress(ImageReader source, float percentageDone) {
                    stopIfAsked(source);
                }
                private void stopIfAsked(ImageReader source) {
                    if (stop.get()) {
                        source.abort();
                    }
                }
                @Override public void imageComplete(ImageReader source) { }
                @Override public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) { }
                @Override public void thumbnailProgress(ImageReader source, float percentageDone) { }
                @Override public void thumbnailComplete(ImageReader source) { }
            });
            BufferedImage image = stop.get() ? null : reader.read(0, param);
            if (stopped[0] || stop.get()) {
                STOPPED.incrementAndGet();
                throw new UnreadableImageException("decoding was stopped at the time limit");
            }
            if (image == null) {
                throw new UnreadableImageException("the decoder returned no pixels");
            }
            return image;
        });
    }

    /** The header's dimensions, refused when the pixels or their full-size decoded bytes are over the caps. */
    private ImageSize declaredSize(ImageReader reader) throws IOException {
        ImageSize size;
        try {
            size = new ImageSize(reader.getWidth(0), reader.getHeight(0));
        } catch (IllegalArgumentException e) {
            throw new UnreadableImageException("the image header declares no usable dimensions", e);
        }
        if (size.pixels() > maxPixels) {
            throw new UnreadableImageException("the image declares " + size + " (" + size.pixels()
                    + " pixels), more than the " + maxPixels + " this system decodes");
        }
        long decodedBytes = size.pixels() * bytesPerPixel(reader);
        if (decodedBytes > maxDecodedBytes) {
            throw new UnreadableImageException("the image declares " + size + " at " + bytesPerPixel(reader)
                    + " bytes a pixel: " + decodedBytes + " bytes decoded, more than the " + maxDecodedBytes
                    + " this system decodes");
        }
        return size;
    }

    /** Bytes one decoded pixel takes in the reader's own raster: bands x bytes per sample, or one packed element. */
    private static int bytesPerPixel(ImageReader reader) throws IOException {
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types != null && types.hasNext() ? types.next() : null;
        }
        if (type == null) {
            return 4;
        }
        SampleModel model = type.getSampleModel(1, 1);
        if (model instanceof MultiPixelPackedSampleModel packed) {
            return Math.max(1, packed.getPixelBitStride() / 8);
        }
        int elements = model instanceof ComponentSampleModel ? model.getNumBands() : 1;
        return Math.max(1, elements * DataBuffer.getDataTypeSize(model.getDataType()) / 8);
    }

    /** Decodes stopped at their time limit since the process started (the readers honoured the stop). */
    static long stoppedDecodes() {
        return STOPPED.get();
    }

    /** Decodes running now, abandoned ones included. */
    static int runningDecodes() {
        return CONCURRENT_DECODES - DECODE_SLOTS.availablePermits();
    }

    private interface ReaderWork<T> {
        T apply(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(byte[] bytes, ReaderWork<T> work) {
        return withReader(bytes, true, work);
    }

    /** @param firstFrameOnly read forward only and skip metadata (an animation's frames need both) */
    private static <T> T withReader(byte[] bytes, boolean firstFrameOnly, ReaderWork<T> work) {
        useMemoryOnly();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableImageException("no decoder recognises these bytes as an image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, firstFrameOnly, firstFrameOnly);
                return work.apply(reader);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UnreadableImageException unreadable) {
                throw unreadable;
            }
            // Decoders signal corrupt input with IIOException, but also with arbitrary runtime exceptions.
            throw new UnreadableImageException("the image cannot be decoded: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /**
     * Applies ImageIO's settings before the first image is read or written (idempotent). Not when this class is
     * first named: ImageIO's first use scans for its plugins, which the functions that never handle an image (and
     * the settings that only name a limit of this class) need not pay at init.
     */
    static void useMemoryOnly() {
        MemoryOnly.apply();
    }

    private static final class MemoryOnly {

        static {
            // Lambda's only writable disk is a small /tmp; decode and encode in memory.
            ImageIO.setUseCache(false);
        }

        static void apply() {
            // Initialising this class is the work.
        }
    }
}
