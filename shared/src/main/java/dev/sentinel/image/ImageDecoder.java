package dev.sentinel.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
 * is read.
 */
public final class ImageDecoder {

    /** Rekognition's own ceiling is 10,000 x 10,000; nothing larger is worth the decode time. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    static {
        // Lambda's only writable disk is a small /tmp; decode from memory.
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive");
        }
        this.maxPixels = maxPixels;
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
