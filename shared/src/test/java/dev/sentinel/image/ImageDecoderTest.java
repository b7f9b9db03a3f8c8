package dev.sentinel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.testing.TestImages;
import java.awt.image.BufferedImage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Decompression bombs under the pixel cap: refused by their decoded size, read within a budget, stoppable. */
class ImageDecoderTest {

    @Test
    void anImageWhoseFullSizeDecodeIsOverTheCapIsRefusedFromItsHeader() {
        // 10000 x 10000 is within the pixel cap, but RGBA at 16 bits a sample is 800 MB once decoded. The data after
        // the header is not even valid: refused before any of it is read.
        byte[] sixteenBit = TestImages.pngDeclaring(10_000, 10_000, 16, 6);

        UnreadableImageException e = assertThrows(UnreadableImageException.class,
                () -> new ImageDecoder().decode(sixteenBit, 2048));
        assertTrue(e.getMessage().contains("8 bytes a pixel"), e.getMessage());
        assertTrue(e.getMessage().contains("800000000 bytes decoded"), e.getMessage());
        assertThrows(UnreadableImageException.class, () -> new ImageDecoder().readSize(sixteenBit));

        // The same size at 8 bits of RGB is an honest large photo's size: it gets past the header.
        UnreadableImageException notTheCap = assertThrows(UnreadableImageException.class,
                () -> new ImageDecoder().decode(TestImages.pngDeclaring(10_000, 10_000, 8, 2), 2048));
        assertTrue(!notTheCap.getMessage().contains("bytes decoded"), notTheCap.getMessage());
    }

    @Test
    void aLargeImageIsDecodedSubsampledWithinTheDecodeBudget() {
        // 8000 x 6000 RGB: 144 MB at full size. Asked for a long side of 4096, it would be decoded whole.
        byte[] large = TestImages.flatPng(8000, 6000, 8, 2);

        BufferedImage decoded = new ImageDecoder().decode(large, 4096);

        long rasterBytes = (long) decoded.getRaster().getDataBuffer().getSize()
                * java.awt.image.DataBuffer.getDataTypeSize(decoded.getRaster().getDataBuffer().getDataType()) / 8;
        assertTrue(rasterBytes <= ImageDecoder.DECODE_BUDGET_BYTES, rasterBytes + " bytes decoded");
        assertEquals(4000, decoded.getWidth(), "subsampled by two, not more");
    }

    @Test
    void aDecodeOverItsTimeIsStoppedAndGivesUpItsPlace() throws InterruptedException {
        byte[] slow = TestImages.flatPng(6000, 6000, 8, 6);
        long stoppedBefore = ImageDecoder.stoppedDecodes();

        UnreadableImageException e = assertThrows(UnreadableImageException.class,
                () -> new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, Duration.ofMillis(20)).decode(slow, 2048));
        assertTrue(e.getMessage().contains("longer than 20 ms"), e.getMessage());

        // ImageIO ignores interrupts; only the reader's abort flag stops it. Wait for the abandoned decode to end.
        for (int i = 0; i < 600 && ImageDecoder.runningDecodes() > 0; i++) {
            Thread.sleep(100);
        }
        assertEquals(0, ImageDecoder.runningDecodes(), "the abandoned decode ended");
        assertEquals(stoppedBefore + 1, ImageDecoder.stoppedDecodes(), "it ended because it was told to stop");
    }
}
