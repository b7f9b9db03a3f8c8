package dev.sentinel.image;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Node;

/**
 * The frames of an animation as a viewer shows them: each one drawn over what the earlier ones left, as their
 * disposal says, scaled so the long side is at most what the caller asked for. GIF frames carry their position and
 * disposal in ImageIO's GIF metadata; WebP frames in the container's ANMF chunks, which the reader does not expose,
 * so they are read from the bytes here.
 */
final class AnimationFrames {

    /** Where one frame goes on the canvas, and what it leaves for the next. */
    private record Placement(int left, int top, boolean blend, Disposal disposal) { }

    private enum Disposal { KEEP, CLEAR, RESTORE_PREVIOUS }

    private AnimationFrames() {
    }

    /** True for a PNG with an animation control chunk (APNG), whose further frames ImageIO cannot read. */
    static boolean isAnimatedPng(byte[] bytes) {
        if (ImageFormat.sniff(bytes) != ImageFormat.PNG) {
            return false;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int at = 8;
        while (at + 8 <= bytes.length) {
            int length = in.getInt(at);
            String type = new String(bytes, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (type.equals("acTL")) {
                return true;
            }
            if (type.equals("IDAT") || length < 0) {
                return false;
            }
            at += 12 + length;
        }
        return false;
    }

    /**
     * Draws the frames one after another onto a canvas of {@code width x height} scaled by {@code scale}, handing
     * each composed frame to {@code sink}, until the frames end or {@code maxFrames} were shown.
     *
     * @return how many frames the animation has, or -1 when it has more than {@code maxFrames}
     */
    static int compose(ImageReader reader, byte[] bytes, ImageFormat format, int width, int height, double scale,
                       int maxFrames, ImageDecoder.FrameSink sink) throws IOException {
        List<Placement> webp = format == ImageFormat.WEBP ? webpPlacements(bytes) : List.of();
        int canvasWidth = Math.max(1, (int) Math.round(width * scale));
        int canvasHeight = Math.max(1, (int) Math.round(height * scale));
        BufferedImage canvas = new BufferedImage(canvasWidth, canvasHeight, BufferedImage.TYPE_INT_ARGB);
        int frames = reader.getNumImages(true);
        if (frames > maxFrames) {
            return -1;
        }
        for (int i = 0; i < frames; i++) {
            Placement placement = format == ImageFormat.WEBP
                    ? (i < webp.size() ? webp.get(i) : new Placement(0, 0, false, Disposal.KEEP))
                    : gifPlacement(reader.getImageMetadata(i));
            BufferedImage frame = reader.read(i);
            BufferedImage before = placement.disposal() == Disposal.RESTORE_PREVIOUS ? copy(canvas) : null;
            int left = (int) Math.round(placement.left() * scale);
            int top = (int) Math.round(placement.top() * scale);
            int w = Math.max(1, (int) Math.round(frame.getWidth() * scale));
            int h = Math.max(1, (int) Math.round(frame.getHeight() * scale));
            Graphics2D g = canvas.createGraphics();
            try {
                g.setComposite(placement.blend() ? AlphaComposite.SrcOver : AlphaComposite.Src);
                g.drawImage(frame, left, top, w, h, null);
            } finally {
                g.dispose();
            }
            if (!sink.frame(i, copy(canvas))) {
                return frames;
            }
            if (placement.disposal() == Disposal.CLEAR) {
                Graphics2D clear = canvas.createGraphics();
                try {
                    clear.setComposite(AlphaComposite.Clear);
                    clear.fillRect(left, top, w, h);
                } finally {
                    clear.dispose();
                }
            } else if (before != null) {
                canvas = before;
            }
        }
        return frames;
    }

    private static BufferedImage copy(BufferedImage image) {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = copy.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src);
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return copy;
    }

    /**
     * The canvas the frames are drawn on: a GIF's logical screen, a WebP's VP8X canvas; otherwise the first frame.
     */
    static ImageSize canvas(ImageReader reader, byte[] bytes, ImageFormat format) throws IOException {
        if (format == ImageFormat.GIF && reader.getStreamMetadata() != null) {
            Node root = reader.getStreamMetadata().getAsTree("javax_imageio_gif_stream_1.0");
            for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node.getNodeName().equals("LogicalScreenDescriptor")) {
                    int width = intAttribute(node, "logicalScreenWidth");
                    int height = intAttribute(node, "logicalScreenHeight");
                    if (width > 0 && height > 0) {
                        return new ImageSize(width, height);
                    }
                }
            }
        }
        if (format == ImageFormat.WEBP && bytes.length >= 30
                && new String(bytes, 12, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("VP8X")) {
            return new ImageSize(uint24(bytes, 24) + 1, uint24(bytes, 27) + 1);
        }
        return new ImageSize(reader.getWidth(0), reader.getHeight(0));
    }

    /** Position and disposal of a GIF frame, from ImageIO's native GIF image metadata. */
    private static Placement gifPlacement(IIOMetadata metadata) {
        int left = 0;
        int top = 0;
        Disposal disposal = Disposal.KEEP;
        if (metadata != null) {
            Node root = metadata.getAsTree("javax_imageio_gif_image_1.0");
            for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node.getNodeName().equals("ImageDescriptor")) {
                    left = intAttribute(node, "imageLeftPosition");
                    top = intAttribute(node, "imageTopPosition");
                } else if (node.getNodeName().equals("GraphicControlExtension")) {
                    String method = node.getAttributes().getNamedItem("disposalMethod").getNodeValue();
                    disposal = switch (method) {
                        case "restoreToBackgroundColor" -> Disposal.CLEAR;
                        case "restoreToPrevious" -> Disposal.RESTORE_PREVIOUS;
                        default -> Disposal.KEEP;
                    };
                }
            }
        }
        return new Placement(left, top, true, disposal);
    }

    private static int intAttribute(Node node, String name) {
        Node attribute = node.getAttributes().getNamedItem(name);
        return attribute == null ? 0 : Integer.parseInt(attribute.getNodeValue());
    }

    /**
     * The ANMF chunks of an animated WebP, in order: each frame's offset (stored halved), blending and disposal, as
     * the WebP container specification lays them out.
     */
    private static List<Placement> webpPlacements(byte[] bytes) {
        List<Placement> placements = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = 12;
        while (at + 8 <= bytes.length) {
            String type = new String(bytes, at, 4, java.nio.charset.StandardCharsets.US_ASCII);
            int size = in.getInt(at + 4);
            if (size < 0) {
                break;
            }
            if (type.equals("ANMF") && at + 8 + 16 <= bytes.length) {
                int x = 2 * uint24(bytes, at + 8);
                int y = 2 * uint24(bytes, at + 11);
                int flags = bytes[at + 8 + 15] & 0xFF;
                boolean blend = (flags & 0b10) == 0;
                boolean dispose = (flags & 0b1) != 0;
                placements.add(new Placement(x, y, blend, dispose ? Disposal.CLEAR : Disposal.KEEP));
            }
            at += 8 + size + (size & 1);
        }
        return placements;
    }

    private static int uint24(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16;
    }

    /** A frame over white, as the engines see images (transparency means nothing to them). */
    static BufferedImage overWhite(BufferedImage frame) {
        BufferedImage rgb = new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
            g.drawImage(frame, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
