package dev.sentinel.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * New JPEG copies of decoded images, for Rekognition and for reviewers' previews: redrawn onto white (JPEG has no
 * alpha, and transparent pixels would otherwise turn black) and encoded afresh, so nothing of the original file's
 * bytes or metadata is carried over.
 */
public final class JpegCopies {

    private JpegCopies() {
    }

    /** The image scaled to {@code width} x {@code height} on a white background, in plain RGB. */
    public static BufferedImage scaleOntoWhite(BufferedImage source, int width, int height) {
        BufferedImage current = source;
        // Halving in steps keeps bilinear filtering from skipping pixels on large reductions.
        while (current.getWidth() / 2 >= width && current.getHeight() / 2 >= height) {
            current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
        }
        return draw(current, width, height);
    }

    /** @param quality JPEG quality from 0 to 1 */
    public static byte[] encode(BufferedImage image, float quality) {
        ImageDecoder.useMemoryOnly();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.getWidth() * image.getHeight() / 4);
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UnreadableImageException("the converted image could not be encoded as JPEG", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static BufferedImage draw(BufferedImage source, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
