package dev.sentinel.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Images made in tests from real photos or from scratch, encoded by the JDK's own writers. */
public final class TestImages {

    private TestImages() {
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("not an image the JDK reads");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Re-encodes a photo in another format the JDK writes: png, gif, bmp, tiff, jpeg. */
    public static byte[] reencode(byte[] photo, String format) {
        return encode(toRgb(decode(photo)), format);
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalArgumentException("no JDK writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static BufferedImage solid(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** Seeded RGB noise: incompressible, so a PNG of it weighs about 3 bytes per pixel. */
    public static BufferedImage noise(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = random.nextInt(0x1000000);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    /** An animated GIF whose frames are solid colours, in order. */
    public static byte[] animatedGif(int width, int height, Color... frames) {
        return gif(writer -> {
            for (Color frame : frames) {
                writer.writeToSequence(new javax.imageio.IIOImage(solid(width, height, frame), null, null), null);
            }
        });
    }

    private interface GifFrames {
        void write(ImageWriter writer) throws IOException;
    }

    /** A GIF of the frames {@code frames} writes, in one sequence. */
    private static byte[] gif(GifFrames frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            frames.write(writer);
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }


    /**
     * A GIF of three frames: {@code background} over the whole {@code width x height}, then only a patch of
     * {@code patch} colour written as a sub-frame at ({@code left}, {@code top}) (what GIF encoders do for a change
     * in one corner), then the background again.
     */
    public static byte[] gifWithPatchFrame(int width, int height, Color background, Color patch, int left, int top,
                                           int patchWidth, int patchHeight) {
        return gif(writer -> {
            writer.writeToSequence(new javax.imageio.IIOImage(solid(width, height, background), null, null), null);
            BufferedImage corner = solid(patchWidth, patchHeight, patch);
            javax.imageio.metadata.IIOMetadata placed = writer.getDefaultImageMetadata(
                    javax.imageio.ImageTypeSpecifier.createFromRenderedImage(corner), null);
            String format = "javax_imageio_gif_image_1.0";
            javax.imageio.metadata.IIOMetadataNode tree = (javax.imageio.metadata.IIOMetadataNode) placed
                    .getAsTree(format);
            javax.imageio.metadata.IIOMetadataNode descriptor = (javax.imageio.metadata.IIOMetadataNode) tree
                    .getElementsByTagName("ImageDescriptor").item(0);
            descriptor.setAttribute("imageLeftPosition", Integer.toString(left));
            descriptor.setAttribute("imageTopPosition", Integer.toString(top));
            placed.setFromTree(format, tree);
            writer.writeToSequence(new javax.imageio.IIOImage(corner, null, placed), null);
            writer.writeToSequence(new javax.imageio.IIOImage(solid(width, height, background), null, null), null);
        });
    }

    /** {@code png} with an animation control chunk (APNG's acTL) before its data, as animated PNGs carry. */
    public static byte[] withAnimationControl(byte[] png) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int ihdrEnd = 8 + 12 + 13;
        out.write(png, 0, ihdrEnd);
        chunk(out, "acTL", ByteBuffer.allocate(8).putInt(2).putInt(0).array());
        out.write(png, ihdrEnd, png.length - ihdrEnd);
        return out.toByteArray();
    }

    /**
     * A well-formed PNG whose header declares {@code width x height} but whose data is a few bytes: the shape of a
     * decompression bomb, without the bomb.
     */
    public static byte[] pngDeclaring(int width, int height) {
        return pngDeclaring(width, height, 8, 2);
    }

    /** A PNG header declaring these dimensions, bit depth and colour type, followed by no real image data. */
    public static byte[] pngDeclaring(int width, int height, int bitDepth, int colorType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", header.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /**
     * A valid PNG of one flat colour (all zero samples), written row by row without ever holding its pixels: a
     * decompression bomb when large (10000 x 10000 RGBA at 16 bits: 800 MB decoded from under a megabyte).
     *
     * @param bitDepth  8 or 16
     * @param colorType PNG colour type: 0 grey, 2 RGB, 6 RGBA
     */
    public static byte[] flatPng(int width, int height, int bitDepth, int colorType) {
        int channels = switch (colorType) {
            case 0 -> 1;
            case 2 -> 3;
            case 6 -> 4;
            default -> throw new IllegalArgumentException("colour type " + colorType);
        };
        byte[] row = new byte[1 + width * channels * bitDepth / 8];
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION);
        try (java.util.zip.DeflaterOutputStream zlib = new java.util.zip.DeflaterOutputStream(compressed, deflater,
                1 << 16)) {
            for (int y = 0; y < height; y++) {
                zlib.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", compressed.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A JPEG with an XMP packet (APP1) declaring an IPTC DigitalSourceType, written by hand as the spec lays out. */
    public static byte[] jpegWithDigitalSourceType(byte[] jpeg, String term) {
        String xmp = "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
                + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
                + "<rdf:Description rdf:about=\"\" xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\""
                + " Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/digitalsourcetype/" + term + "\"/>"
                + "</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
        byte[] payload = concat("http://ns.adobe.com/xap/1.0/\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                xmp.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return withJpegSegment(jpeg, 0xE1, payload);
    }

    /**
     * A JPEG carrying a minimal C2PA manifest store in APP11: a JUMBF superbox whose description box is labelled
     * {@code c2pa}, holding a created action with a trainedAlgorithmicMedia source type. Enough for presence
     * detection; it is not signed.
     */
    public static byte[] jpegWithC2paManifest(byte[] jpeg) {
        byte[] label = "c2pa\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] jumd = concat(ByteBuffer.allocate(4).putInt(8 + 16 + 1 + label.length).array(),
                "jumd".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[16], new byte[] {3}, label);
        byte[] content = ("{\"actions\":[{\"action\":\"c2pa.created\",\"digitalSourceType\":"
                + "\"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia\"}]}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] jumb = concat(ByteBuffer.allocate(4).putInt(8 + jumd.length + content.length).array(),
                "jumb".getBytes(java.nio.charset.StandardCharsets.US_ASCII), jumd, content);
        byte[] payload = concat(new byte[] {'J', 'P', 0, 1, 0, 0, 0, 1}, jumb);
        return withJpegSegment(jpeg, 0xEB, payload);
    }

    /** A PNG with a tEXt chunk, e.g. the "parameters" chunk Stable Diffusion front ends write. */
    public static byte[] pngWithText(byte[] png, String keyword, String text) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        chunk(chunk, "tEXt", concat(keyword.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), new byte[] {0},
                text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        int iend = png.length - 12;
        return concat(java.util.Arrays.copyOf(png, iend), chunk.toByteArray(),
                java.util.Arrays.copyOfRange(png, iend, png.length));
    }

    private static byte[] withJpegSegment(byte[] jpeg, int marker, byte[] payload) {
        byte[] header = {(byte) 0xFF, (byte) marker, (byte) ((payload.length + 2) >> 8), (byte) (payload.length + 2)};
        return concat(java.util.Arrays.copyOf(jpeg, 2), header, payload, java.util.Arrays.copyOfRange(jpeg, 2,
                jpeg.length));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return rgb;
    }
}
