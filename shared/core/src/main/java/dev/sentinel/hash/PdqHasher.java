package dev.sentinel.hash;

import java.awt.image.BufferedImage;

/**
 * Meta's PDQ perceptual hash, written from its published description (hashing.pdf in facebook/ThreatExchange):
 * luminance (0.299 R + 0.587 G + 0.114 B) → two passes of a Jarosz box filter along rows and columns, window
 * ⌈dimension / 128⌉ → decimation to 64x64 by sampling window centres → a 16x16 DCT (the lowest 16 frequencies of
 * each axis without DC) → bit k set when coefficient k exceeds the median. Quality is the image-domain gradient
 * measure of the 64x64 grid, capped at 100; below {@link #MIN_MATCH_QUALITY} a hash should not be near-matched.
 *
 * <p>Arithmetic is in float, in the reference's order, so the hashes of images decoded by javax.imageio equal those
 * of Meta's Java implementation bit for bit. One instance holds its work buffers: not thread-safe, cheap to make.
 */
public final class PdqHasher {

    /** The PDQ authors' advice: hashes of lower quality (flat, featureless images) match too easily. */
    public static final int MIN_MATCH_QUALITY = 50;
    /** The usual match threshold: at most 31 of 256 bits differ. */
    public static final int MATCH_DISTANCE = 31;

    private static final int GRID = 64;
    private static final int DCT = 16;
    private static final float[] DCT_MATRIX = dctMatrix();

    private float[] luma = new float[0];
    private float[] scratch = new float[0];
    private final float[] grid = new float[GRID * GRID];
    private final int[] sampleColumns = new int[GRID];
    private final float[] partial = new float[DCT * GRID];
    private final float[] coefficients = new float[DCT * DCT];

    /** The hash of the image and of its seven rotations and mirror images. */
    public record Dihedral(PdqHash original, PdqHash rotate90, PdqHash rotate180, PdqHash rotate270,
                           PdqHash flipX, PdqHash flipY, PdqHash flipPlus1, PdqHash flipMinus1) {

        public java.util.List<PdqHash> all() {
            return java.util.List.of(original, rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1);
        }
    }

    public PdqHash hash(BufferedImage image) {
        int quality = coefficientsOf(image);
        return fromCoefficients(coefficients, quality);
    }

    public Dihedral dihedral(BufferedImage image) {
        int quality = coefficientsOf(image);
        float[] c = coefficients;
        float[] t = new float[DCT * DCT];
        return new Dihedral(fromCoefficients(c, quality),
                fromCoefficients(transform(c, t, true, true, false), quality),
                fromCoefficients(transform(c, t, false, true, true), quality),
                fromCoefficients(transform(c, t, true, false, true), quality),
                fromCoefficients(transform(c, t, false, true, false), quality),
                fromCoefficients(transform(c, t, false, false, true), quality),
                fromCoefficients(transform(c, t, true, false, false), quality),
                fromCoefficients(transform(c, t, true, true, true), quality));
    }

    /** The hash of a 64 x 64 sample grid (row-major), for checking the blur against a plain full-image version. */
    static PdqHash hashOfGrid(float[] sampleGrid) {
        float[] coefficients = new float[DCT * DCT];
        dct(sampleGrid, new float[DCT * GRID], coefficients);
        return fromCoefficients(coefficients, quality(sampleGrid));
    }

    /**
     * Coefficients of a rotated or mirrored image from those of the original: mirroring an axis multiplies each
     * odd frequency along it by -1 (the DCT here starts at frequency 1, so index i is frequency i + 1), and
     * transposing swaps the axes.
     */
    private static float[] transform(float[] c, float[] out, boolean transpose, boolean negateRows,
                                     boolean negateCols) {
        for (int i = 0; i < DCT; i++) {
            for (int j = 0; j < DCT; j++) {
                float v = transpose ? c[j * DCT + i] : c[i * DCT + j];
                boolean flip = (negateRows && (i & 1) == 0) ^ (negateCols && (j & 1) == 0);
                out[i * DCT + j] = flip ? -v : v;
            }
        }
        return out;
    }

    /** Fills {@link #coefficients} and returns the quality. */
    private int coefficientsOf(BufferedImage image) {
        int rows = image.getHeight();
        int cols = image.getWidth();
        // Room for the image, and for the second pass's 64 sampled columns when the image is narrower than that.
        int n = Math.max(rows * cols, rows * GRID);
        if (luma.length < n) {
            luma = new float[n];
            scratch = new float[n];
        }
        readLuma(image, rows, cols);
        int windowAlongRows = windowSize(cols);
        int windowAlongCols = windowSize(rows);
        // First blur pass over the whole image; rows four at a time, so four running sums advance side by side.
        int y0 = 0;
        for (; y0 + 4 <= rows; y0 += 4) {
            boxFourRows(luma, y0, cols, windowAlongRows, null, scratch, cols);
        }
        for (int y = y0; y < rows; y++) {
            box(luma, scratch, y * cols, cols, 1, windowAlongRows);
        }
        boxColumns(scratch, luma, rows, cols, windowAlongCols);
        // The second pass is read only at the 64 x 64 sample points: along rows, the running sums still cover
        // every pixel (so each value is rounded exactly as in a full pass) but only the 64 sampled columns are
        // divided and kept; down columns, only those 64 columns are filtered.
        for (int j = 0; j < GRID; j++) {
            sampleColumns[j] = (int) (((j + 0.5) * cols) / GRID);
        }
        y0 = 0;
        for (; y0 + 4 <= rows; y0 += 4) {
            boxFourRows(luma, y0, cols, windowAlongRows, sampleColumns, scratch, GRID);
        }
        for (int y = y0; y < rows; y++) {
            boxAt(luma, y * cols, cols, windowAlongRows, sampleColumns, scratch, y * GRID);
        }
        boxColumns(scratch, luma, rows, GRID, windowAlongCols);
        for (int i = 0; i < GRID; i++) {
            int ini = (int) (((i + 0.5) * rows) / GRID);
            System.arraycopy(luma, ini * GRID, grid, i * GRID, GRID);
        }
        int quality = quality(grid);
        dct(grid, partial, coefficients);
        return quality;
    }

    /**
     * Luminance in float, 0.299 R + 0.587 G + 0.114 B as the reference computes it. The usual decoder outputs (3-byte
     * BGR, int RGB) are read from their rasters directly, which gives the same sRGB values as getRGB without its
     * per-pixel colour-model calls.
     */
    private void readLuma(BufferedImage image, int rows, int cols) {
        java.awt.image.Raster raster = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof java.awt.image.DataBufferByte bytes
                && raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel model
                && model.getPixelStride() == 3 && model.getScanlineStride() == cols * 3
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            byte[] data = bytes.getData();
            for (int i = 0, n = rows * cols; i < n; i++) {
                int o = i * 3;
                luma[i] = 0.299f * (data[o + 2] & 0xFF) + 0.587f * (data[o + 1] & 0xFF) + 0.114f * (data[o] & 0xFF);
            }
            return;
        }
        if ((image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_INT_ARGB)
                && raster.getDataBuffer() instanceof java.awt.image.DataBufferInt ints
                && raster.getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel model
                && model.getScanlineStride() == cols
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            // getRGB of these types returns the stored value itself (alpha aside, which luma ignores).
            int[] data = ints.getData();
            for (int i = 0, n = rows * cols; i < n; i++) {
                int p = data[i];
                luma[i] = 0.299f * ((p >> 16) & 0xFF) + 0.587f * ((p >> 8) & 0xFF) + 0.114f * (p & 0xFF);
            }
            return;
        }
        int[] row = new int[cols];
        for (int y = 0; y < rows; y++) {
            image.getRGB(0, y, cols, 1, row, 0, cols);
            int base = y * cols;
            for (int x = 0; x < cols; x++) {
                int p = row[x];
                luma[base + x] = 0.299f * ((p >> 16) & 0xFF) + 0.587f * ((p >> 8) & 0xFF) + 0.114f * (p & 0xFF);
            }
        }
    }

    /**
     * {@link #box} down every column at once, row by row, so memory is read in order; each column's sum sees the
     * same additions in the same order as the one-column version, so the results are identical.
     */
    static void boxColumns(float[] in, float[] out, int rows, int cols, int window) {
        BoxPhases phases = BoxPhases.of(rows, window);
        float[] sum = new float[cols];
        int current = 0;
        int ri = 0;
        int li = 0;
        int oi = 0;
        for (int i = 0; i < phases.fill(); i++, ri++) {
            addRow(sum, in, ri * cols, cols);
            current++;
        }
        for (int i = 0; i < phases.grow(); i++, ri++, oi++) {
            addRow(sum, in, ri * cols, cols);
            current++;
            writeRow(out, oi * cols, sum, current, cols);
        }
        for (int i = 0; i < phases.slide(); i++, ri++, li++, oi++) {
            int r = ri * cols;
            int l = li * cols;
            for (int x = 0; x < cols; x++) {
                float s = sum[x] + in[r + x];
                sum[x] = s - in[l + x];
            }
            writeRow(out, oi * cols, sum, current, cols);
        }
        for (int i = 0; i < phases.shrink(); i++, li++, oi++) {
            int l = li * cols;
            for (int x = 0; x < cols; x++) {
                sum[x] -= in[l + x];
            }
            current--;
            writeRow(out, oi * cols, sum, current, cols);
        }
    }

    private static void addRow(float[] sum, float[] in, int offset, int cols) {
        for (int x = 0; x < cols; x++) {
            sum[x] += in[offset + x];
        }
    }

    private static void writeRow(float[] out, int offset, float[] sum, int count, int cols) {
        for (int x = 0; x < cols; x++) {
            out[offset + x] = sum[x] / count;
        }
    }

    /**
     * A centred box window of {@code window} values running over a line of {@code length}: it first fills without
     * output, then grows with output until full, slides at full size, and shrinks at the far end.
     */
    record BoxPhases(int fill, int grow, int slide, int shrink) {
        static BoxPhases of(int length, int window) {
            int half = (window + 2) / 2;
            return new BoxPhases(half - 1, window - half + 1, length - window, half - 1);
        }
    }

    /** Window of the box filter: the input dimension per output cell, halved, rounded up. */
    static int windowSize(int dimension) {
        return (dimension + 2 * GRID - 1) / (2 * GRID);
    }

    /**
     * One box-filter pass over a line of {@code length} values {@code stride} apart. The window is centred and
     * shrinks at the ends rather than padding, so edges are averages of real pixels.
     */
    static void box(float[] in, float[] out, int start, int length, int stride, int window) {
        BoxPhases phases = BoxPhases.of(length, window);
        int li = start;
        int ri = start;
        int oi = start;
        float sum = 0f;
        int current = 0;
        for (int i = 0; i < phases.fill(); i++) {
            sum += in[ri];
            current++;
            ri += stride;
        }
        for (int i = 0; i < phases.grow(); i++) {
            sum += in[ri];
            current++;
            out[oi] = sum / current;
            ri += stride;
            oi += stride;
        }
        for (int i = 0; i < phases.slide(); i++) {
            sum += in[ri];
            sum -= in[li];
            out[oi] = sum / current;
            li += stride;
            ri += stride;
            oi += stride;
        }
        for (int i = 0; i < phases.shrink(); i++) {
            sum -= in[li];
            current--;
            out[oi] = sum / current;
            li += stride;
            oi += stride;
        }
    }

    /**
     * {@link #box} along one line, keeping only the outputs at the ascending positions {@code at}: the running sum
     * sees the same additions and subtractions in the same order, so each kept value is the one box would give.
     */
    static void boxAt(float[] in, int start, int length, int window, int[] at, float[] out, int outStart) {
        BoxPhases phases = BoxPhases.of(length, window);
        int li = start;
        int ri = start;
        int position = 0;
        int next = 0;
        float sum = 0f;
        int current = 0;
        for (int i = 0; i < phases.fill(); i++) {
            sum += in[ri++];
            current++;
        }
        for (int i = 0; i < phases.grow(); i++, position++) {
            sum += in[ri++];
            current++;
            while (next < at.length && at[next] == position) {
                out[outStart + next++] = sum / current;
            }
        }
        for (int i = 0; i < phases.slide(); i++, position++) {
            sum += in[ri++];
            sum -= in[li++];
            while (next < at.length && at[next] == position) {
                out[outStart + next++] = sum / current;
            }
        }
        for (int i = 0; i < phases.shrink(); i++, position++) {
            sum -= in[li++];
            current--;
            while (next < at.length && at[next] == position) {
                out[outStart + next++] = sum / current;
            }
        }
    }

    /**
     * {@link #box} (when {@code at} is null) or {@link #boxAt} along rows {@code row} to {@code row + 3} of an image
     * {@code cols} wide: the four running sums are independent, so the CPU overlaps their additions instead of
     * waiting for each before the next, and each sum sees exactly the operations of the one-row version. Outputs go
     * to {@code out} at {@code (row + r) * outWidth} plus the position (or the index in {@code at}).
     */
    static void boxFourRows(float[] in, int row, int cols, int window, int[] at, float[] out, int outWidth) {
        BoxPhases phases = BoxPhases.of(cols, window);
        int fullFrom = phases.fill() + phases.grow();
        int shrinkFrom = fullFrom + phases.slide();
        int b0 = row * cols;
        int b1 = b0 + cols;
        int b2 = b1 + cols;
        int b3 = b2 + cols;
        int o0 = row * outWidth;
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int current = 0;
        int ri = 0;
        int li = 0;
        int next = 0;
        int end = shrinkFrom + phases.shrink();
        for (int step = 0; step < end; step++) {
            if (step < shrinkFrom) {
                s0 += in[b0 + ri];
                s1 += in[b1 + ri];
                s2 += in[b2 + ri];
                s3 += in[b3 + ri];
                ri++;
            }
            if (step >= fullFrom) {
                s0 -= in[b0 + li];
                s1 -= in[b1 + li];
                s2 -= in[b2 + li];
                s3 -= in[b3 + li];
                li++;
            }
            if (step < fullFrom) {
                current++;
            } else if (step >= shrinkFrom) {
                current--;
            }
            if (step < phases.fill()) {
                continue;
            }
            int position = step - phases.fill();
            if (at == null) {
                out[o0 + position] = s0 / current;
                out[o0 + outWidth + position] = s1 / current;
                out[o0 + 2 * outWidth + position] = s2 / current;
                out[o0 + 3 * outWidth + position] = s3 / current;
            } else {
                while (next < at.length && at[next] == position) {
                    out[o0 + next] = s0 / current;
                    out[o0 + outWidth + next] = s1 / current;
                    out[o0 + 2 * outWidth + next] = s2 / current;
                    out[o0 + 3 * outWidth + next] = s3 / current;
                    next++;
                }
            }
        }
    }

    /** Sum of absolute neighbour differences on the 64x64 grid, in percent of full scale, over 90, at most 100. */
    static int quality(float[] g) {
        int sum = 0;
        for (int i = 0; i < GRID - 1; i++) {
            for (int j = 0; j < GRID; j++) {
                sum += Math.abs((int) (((g[i * GRID + j] - g[(i + 1) * GRID + j]) * 100) / 255));
            }
        }
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID - 1; j++) {
                sum += Math.abs((int) (((g[i * GRID + j] - g[i * GRID + j + 1]) * 100) / 255));
            }
        }
        return Math.min(100, sum / 90);
    }

    /** B = D A Dᵀ with D the 16x64 DCT-II rows 1..16. */
    private static void dct(float[] a, float[] t, float[] b) {
        for (int i = 0; i < DCT; i++) {
            for (int j = 0; j < GRID; j++) {
                float sum = 0f;
                for (int k = 0; k < GRID; k++) {
                    sum += DCT_MATRIX[i * GRID + k] * a[k * GRID + j];
                }
                t[i * GRID + j] = sum;
            }
        }
        for (int i = 0; i < DCT; i++) {
            for (int j = 0; j < DCT; j++) {
                float sum = 0f;
                for (int k = 0; k < GRID; k++) {
                    sum += t[i * GRID + k] * DCT_MATRIX[j * GRID + k];
                }
                b[i * DCT + j] = sum;
            }
        }
    }

    private static PdqHash fromCoefficients(float[] c, int quality) {
        float[] sorted = c.clone();
        java.util.Arrays.sort(sorted);
        float median = sorted[DCT * DCT / 2 - 1];
        long[] bits = new long[4];
        for (int k = 0; k < DCT * DCT; k++) {
            if (c[k] > median) {
                bits[k >>> 6] |= 1L << (k & 63);
            }
        }
        return new PdqHash(bits, quality);
    }

    private static float[] dctMatrix() {
        float[] d = new float[DCT * GRID];
        double scale = Math.sqrt(2.0 / GRID);
        for (int i = 0; i < DCT; i++) {
            for (int j = 0; j < GRID; j++) {
                d[i * GRID + j] = (float) (scale * Math.cos((Math.PI / 2 / GRID) * (i + 1) * (2 * j + 1)));
            }
        }
        return d;
    }
}
