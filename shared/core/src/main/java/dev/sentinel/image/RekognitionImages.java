package dev.sentinel.image;

import java.awt.image.BufferedImage;

/**
 * Fits images to what Amazon Rekognition's image operations accept: JPEG or PNG, 80 to 10,000 pixels a side,
 * at most 15 MB when read from S3 and 5 MB when sent inline.
 *
 * <p>Anything else is converted: the first frame is decoded, drawn over white (transparent areas would otherwise
 * turn black in JPEG, hiding nothing but changing what the model sees), scaled so its long side is at most
 * {@value #INLINE_LONG_SIDE} pixels (or up to the 80-pixel minimum), and encoded as JPEG at quality 0.9, shrinking
 * further until it fits 5 MB. Moderation models work on far fewer pixels than that, so the downscale does not
 * blunt them.
 */
public final class RekognitionImages {

    public static final long MAX_INLINE_BYTES = 5L * 1024 * 1024;
    public static final long MAX_S3_OBJECT_BYTES = 15L * 1024 * 1024;
    public static final int MAX_SIDE = 10_000;
    public static final int MIN_SIDE = 80;
    public static final int INLINE_LONG_SIDE = 4096;
    private static final float JPEG_QUALITY = 0.9f;

    private final ImageDecoder decoder;

    public RekognitionImages(ImageDecoder decoder) {
        this.decoder = decoder;
    }

    /** Whether Rekognition can read this image where it is stored, as it is. */
    public boolean acceptsAsStored(byte[] bytes, ImageFormat format) {
        return bytes.length <= MAX_S3_OBJECT_BYTES && acceptsAsIs(bytes, format);
    }

    /**
     * The bytes to send inline: the image itself when it already fits, otherwise a converted copy.
     *
     * @throws UnreadableImageException when the image cannot be decoded or cannot be made to fit
     */
    public byte[] inline(byte[] bytes, ImageFormat format) {
        if (bytes.length <= MAX_INLINE_BYTES && acceptsAsIs(bytes, format)) {
            return bytes;
        }
        BufferedImage decoded = decoder.decode(bytes, INLINE_LONG_SIDE);
        ImageSize target = fit(new ImageSize(decoded.getWidth(), decoded.getHeight()), INLINE_LONG_SIDE);
        for (int attempt = 0; attempt < 6; attempt++) {
            byte[] jpeg = JpegCopies.encode(JpegCopies.scaleOntoWhite(decoded, target.width(), target.height()), JPEG_QUALITY);
            if (jpeg.length <= MAX_INLINE_BYTES) {
                return jpeg;
            }
            target = fit(target, (int) (target.longSide() * 0.7));
        }
        throw new UnreadableImageException("the image could not be encoded within " + MAX_INLINE_BYTES + " bytes");
    }

    private boolean acceptsAsIs(byte[] bytes, ImageFormat format) {
        if (!format.acceptedByRekognition()) {
            return false;
        }
        ImageSize size = decoder.readSize(bytes);
        return size.longSide() <= MAX_SIDE && size.shortSide() >= MIN_SIDE;
    }

    /** The size with the same aspect ratio whose long side is at most {@code longSide} and short side at least 80. */
    static ImageSize fit(ImageSize size, int longSide) {
        double scale = Math.min(1.0, (double) longSide / size.longSide());
        if (size.shortSide() * scale < MIN_SIDE) {
            scale = (double) MIN_SIDE / size.shortSide();
        }
        int width = (int) Math.round(size.width() * scale);
        int height = (int) Math.round(size.height() * scale);
        ImageSize fitted = new ImageSize(Math.max(MIN_SIDE, width), Math.max(MIN_SIDE, height));
        if (fitted.longSide() > MAX_SIDE) {
            throw new UnreadableImageException("an image of " + size + " is too elongated to fit Rekognition's "
                    + MIN_SIDE + " to " + MAX_SIDE + " pixel sides");
        }
        return fitted;
    }
}
