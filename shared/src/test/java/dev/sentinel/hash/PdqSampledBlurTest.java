package dev.sentinel.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hasher computes the blur's second pass only where the 64 x 64 sample reads it. Here the plain version (both
 * passes over every pixel, then sampling) is computed from the same building blocks, and the hashes must be equal
 * bit for bit, for shapes that exercise the edges: narrower than 64, odd sizes, one-pixel lines, large windows.
 */
class PdqSampledBlurTest {

    @Test
    void sampledSecondPassEqualsTheFullBlurForEveryShape() {
        Random random = new Random(20261125);
        int[][] shapes = {{1, 1}, {3, 700}, {40, 30}, {63, 200}, {64, 64}, {65, 129}, {257, 191}, {512, 512},
                {1000, 37}, {1601, 1003}};
        for (int[] shape : shapes) {
            for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB,
                    BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY}) {
                BufferedImage image = noisyGradient(shape[0], shape[1], type, random);
                assertEquals(fullBlurHash(image), new PdqHasher().hash(image),
                        shape[0] + "x" + shape[1] + " type " + type);
            }
        }
    }

    private static PdqHash fullBlurHash(BufferedImage image) {
        int rows = image.getHeight();
        int cols = image.getWidth();
        float[] luma = new float[rows * cols];
        float[] scratch = new float[rows * cols];
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int p = image.getRGB(x, y);
                luma[y * cols + x] = 0.299f * ((p >> 16) & 0xFF) + 0.587f * ((p >> 8) & 0xFF) + 0.114f * (p & 0xFF);
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int y = 0; y < rows; y++) {
                PdqHasher.box(luma, scratch, y * cols, cols, 1, PdqHasher.windowSize(cols));
            }
            for (int x = 0; x < cols; x++) {
                PdqHasher.box(scratch, luma, x, rows, cols, PdqHasher.windowSize(rows));
            }
        }
        float[] grid = new float[64 * 64];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 64; j++) {
                grid[i * 64 + j] = luma[(int) (((i + 0.5) * rows) / 64) * cols + (int) (((j + 0.5) * cols) / 64)];
            }
        }
        return PdqHasher.hashOfGrid(grid);
    }

    private static BufferedImage noisyGradient(int width, int height, int type, Random random) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + random.nextInt(40)) & 0xFF;
                int g = (y * 255 / Math.max(1, height - 1) + random.nextInt(40)) & 0xFF;
                int b = ((x ^ y) + random.nextInt(40)) & 0xFF;
                image.setRGB(x, y, 0xFF000000 | r << 16 | g << 8 | b);
            }
        }
        return image;
    }
}
