package dev.sentinel.image;

import java.awt.image.BufferedImage;
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
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads images with ImageIO (JPEG, PNG, GIF, BMP, TIFF from the JDK; WebP from the TwelveMonkeys plugin).
 *
 * <p>The header is read before any pixel: an image declaring more than {@code maxPixels} is refused without
 * decoding (a few kilobytes can declare gigapixels). Large images are decoded with source subsampling, so the
 * decoded raster stays near the size asked for instead of the size declared. Only the first frame of an animation
 * is read, and a decode that takes longer than the time limit is abandoned and the image refused.
 */
public final class ImageDecoder {

    /** Rekognition's own ceiling is 10,000 x 10,000; nothing larger is worth the decode time. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    static {
        // Lambda's only writable disk is a small /tmp; decode from memory.
        ImageIO.setUseCache(false);
    }

    /** Long enough for any honest image of the allowed size on a small Lambda; hostile files can take forever. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(10);

    /** Decodes run here so a hostile file that makes a decoder spin can be abandoned after the time limit. */
    private static final ExecutorService DECODING = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "image-decoding");
        thread.setDaemon(true);
        return thread;
    });

    private final long maxPixels;
    private final Duration timeLimit;

    public ImageDecoder(long maxPixels, Duration timeLimit) {
        if (maxPixels <= 0 || timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("maxPixels and timeLimit must be positive");
        }
        this.maxPixels = maxPixels;
        this.timeLimit = timeLimit;
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
     * Decodes the first frame, subsampled so that its long side is at most about {@code 2 * maxLongSide}; callers
     * scale the rest of the way smoothly.
     */
    public BufferedImage decode(byte[] bytes, int maxLongSide) {
        Future<BufferedImage> decoding = DECODING.submit(() -> decodeNow(bytes, maxLongSide));
        try {
            return decoding.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
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

    private BufferedImage decodeNow(byte[] bytes, int maxLongSide) {
        return withReader(bytes, reader -> {
            ImageSize size = declaredSize(reader);
            ImageReadParam param = reader.getDefaultReadParam();
            int step = Math.max(1, size.longSide() / (2 * maxLongSide));
            if (step > 1) {
                param.setSourceSubsampling(step, step, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            if (image == null) {
                throw new UnreadableImageException("the decoder returned no pixels");
            }
            return image;
        });
    }

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
        return size;
    }

    private interface ReaderWork<T> {
        T apply(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(byte[] bytes, ReaderWork<T> work) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableImageException("no decoder recognises these bytes as an image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
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
}
