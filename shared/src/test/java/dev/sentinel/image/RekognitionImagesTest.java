package dev.sentinel.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RekognitionImagesTest {

    private static final byte[] PHOTO = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
    private final RekognitionImages images = new RekognitionImages(new ImageDecoder());

    @Test
    void jpegThatFitsIsSentUnchanged() {
        assertSame(PHOTO, images.inline(PHOTO, ImageFormat.JPEG));
        assertTrue(images.acceptsAsStored(PHOTO, ImageFormat.JPEG));
    }

    @Test
    void everyOtherFormatBecomesAJpegOfTheSamePicture() throws Exception {
        BufferedImage original = TestImages.decode(PHOTO);
        byte[] webp = TestAws.class.getResourceAsStream("/photos/street-q2821-lossy.webp").readAllBytes();
        for (byte[] input : new byte[][] {webp, TestImages.reencode(PHOTO, "gif"), TestImages.reencode(PHOTO, "bmp"),
                TestImages.reencode(PHOTO, "tiff")}) {
            ImageFormat format = ImageFormat.sniff(input);
            assertFalse(images.acceptsAsStored(input, format), format + " cannot be read by Rekognition from S3");

            byte[] sent = images.inline(input, format);

            assertEquals(ImageFormat.JPEG, ImageFormat.sniff(sent), format.name());
            BufferedImage converted = TestImages.decode(sent);
            assertEquals(original.getWidth(), converted.getWidth(), format.name());
            assertEquals(original.getHeight(), converted.getHeight(), format.name());
            assertTrue(meanAbsoluteDifference(original, converted) < 12, format + " must still show the same picture");
        }
    }

    @Test
    void animatedGifIsJudgedOnItsFirstFrame() {
        byte[] gif = TestImages.animatedGif(120, 90, Color.RED, Color.BLUE, Color.GREEN);

        BufferedImage sent = TestImages.decode(images.inline(gif, ImageFormat.GIF));

        Color centre = new Color(sent.getRGB(60, 45));
        assertTrue(centre.getRed() > 200 && centre.getBlue() < 60, "first frame is red, was " + centre);
    }

    @Test
    void transparentAreasAreFlattenedOntoWhite() {
        byte[] tiff = TestImages.encode(new BufferedImage(100, 100, BufferedImage.TYPE_INT_ARGB), "tiff");

        BufferedImage sent = TestImages.decode(images.inline(tiff, ImageFormat.TIFF));

        Color corner = new Color(sent.getRGB(0, 0));
        assertTrue(corner.getRed() > 245 && corner.getGreen() > 245 && corner.getBlue() > 245, corner.toString());
    }

    @Test
    void oversizedImageIsDownscaledUnderFiveMegabytesAndFourThousandPixels() {
        byte[] png = TestImages.encode(TestImages.noise(5000, 1200, 7), "png");
        assertTrue(png.length > RekognitionImages.MAX_S3_OBJECT_BYTES, "fixture must exceed 15 MB, was " + png.length);

        byte[] sent = images.inline(png, ImageFormat.PNG);

        assertTrue(sent.length <= RekognitionImages.MAX_INLINE_BYTES, "sent " + sent.length + " bytes");
        BufferedImage scaled = TestImages.decode(sent);
        assertEquals(RekognitionImages.INLINE_LONG_SIDE, scaled.getWidth());
        assertEquals(Math.round(1200 * 4096 / 5000.0), scaled.getHeight(), 1);
        assertFalse(images.acceptsAsStored(png, ImageFormat.PNG));
    }

    @Test
    void imageBelowEightyPixelsIsUpscaledToTheMinimum() {
        byte[] tiny = TestImages.encode(TestImages.solid(40, 20, Color.GRAY), "png");

        BufferedImage sent = TestImages.decode(images.inline(tiny, ImageFormat.PNG));

        assertEquals(160, sent.getWidth());
        assertEquals(80, sent.getHeight());
    }

    @Test
    void sidesOutsideRekognitionsRangeAreNotSentAsStored() {
        assertFalse(images.acceptsAsStored(TestImages.encode(TestImages.solid(60, 60, Color.GRAY), "png"),
                ImageFormat.PNG));
        assertFalse(images.acceptsAsStored(TestImages.encode(TestImages.solid(10_001, 100, Color.GRAY), "png"),
                ImageFormat.PNG));
    }

    @Test
    void anImageTooElongatedToFitIsRefused() {
        byte[] strip = TestImages.encode(TestImages.solid(20_000, 80, Color.GRAY), "png");

        UnreadableImageException e = assertThrows(UnreadableImageException.class,
                () -> images.inline(strip, ImageFormat.PNG));
        assertTrue(e.getMessage().contains("too elongated"), e.getMessage());
    }

    @Test
    void headerDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
        byte[] bomb = TestImages.pngDeclaring(100_000, 100_000);

        UnreadableImageException e = assertThrows(UnreadableImageException.class,
                () -> images.inline(bomb, ImageFormat.PNG));
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
        assertEquals(new ImageSize(100_000, 100_000), new ImageDecoder(Long.MAX_VALUE).readSize(bomb));
    }

    @Test
    void truncatedAndNonImageBytesAreRefusedWithAClearReason() {
        byte[] truncated = Arrays.copyOf(TestImages.reencode(PHOTO, "bmp"), 200);
        byte[] text = "just some text, not a picture".getBytes();

        assertThrows(UnreadableImageException.class, () -> images.inline(truncated, ImageFormat.BMP));
        UnreadableImageException e = assertThrows(UnreadableImageException.class,
                () -> images.inline(text, ImageFormat.UNKNOWN));
        assertTrue(e.getMessage().contains("no decoder"), e.getMessage());
    }

    @Test
    void decodingThatOverrunsItsTimeLimitIsAbandoned() {
        byte[] png = TestImages.encode(TestImages.noise(3000, 3000, 3), "png");
        ImageDecoder impatient = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, java.time.Duration.ofMillis(1));

        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> impatient.decode(png, 4096));
        assertTrue(e.getMessage().contains("longer than 1 ms"), e.getMessage());
        assertEquals(3000, new ImageDecoder().decode(png, 4096).getWidth(), "the same image within the limit");
    }

    @Test
    void largeImagesAreDecodedSubsampled() {
        byte[] png = TestImages.encode(TestImages.solid(9000, 300, Color.ORANGE), "png");

        BufferedImage decoded = new ImageDecoder().decode(png, 1000);

        assertEquals(2250, decoded.getWidth(), "subsampled by 4 to stay near twice the requested long side");
        assertArrayEquals(new int[] {Color.ORANGE.getRGB()}, new int[] {decoded.getRGB(10, 10)});
    }

    private static double meanAbsoluteDifference(BufferedImage a, BufferedImage b) {
        long total = 0;
        int samples = 0;
        for (int y = 0; y < a.getHeight(); y += 3) {
            for (int x = 0; x < a.getWidth(); x += 3) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    total += Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF));
                    samples++;
                }
            }
        }
        return (double) total / samples;
    }
}
