package dev.sentinel.engine.embedded;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels on the Vector API. The species is a static final, so the JIT compiles every vector operation to
 * SIMD instructions of that width (with a species it cannot see as a constant, the API falls back to objects and
 * is 50x slower). On x86 it is the widest the CPU has (AVX-512: 16 floats, AVX2: 8); on arm64 NEON's 128 bits
 * (4 floats). {@value Kernels#BITS_PROPERTY} narrows it, so a 128-bit run can be tested on x86.
 *
 * <p>Pointwise: a tile of 8 pixels x 2 vectors of output channels is held in 16 accumulator registers while the
 * input channels stream past: each step loads two vectors of a weight panel and broadcasts one input value per
 * pixel, so every load feeds 8 or 2 fused multiply-adds and nothing is stored until the tile is done. The bias is
 * the accumulators' start and the ReLU cap is applied on the way out; a residual is added to the finished tile
 * while it is still in L1. No vector is ever passed to a method: one that is not inlined gets it boxed, an
 * allocation per call.
 */
final class VectorKernels implements Kernels {

    static final VectorSpecies<Float> SPECIES = species();
    private static final int L = SPECIES.length();
    private static final int PANEL = 2 * L;

    static final VectorKernels INSTANCE = new VectorKernels();

    private VectorKernels() {
    }

    private static VectorSpecies<Float> species() {
        int widest = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Integer.getInteger(BITS_PROPERTY, widest);
        if (bits > widest || bits < 64 || Integer.bitCount(bits) != 1) {
            bits = widest;
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    @Override
    public String path() {
        return "vector";
    }

    @Override
    public int bits() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public int channelAlign() {
        return L;
    }

    @Override
    public int panelWidth() {
        return PANEL;
    }

    @Override
    public void pointwise(float[] x, int xOff, int xStride, int rows, int cin, float[] packed, float[] bias,
                          int cout, float reluMax, float[] residual, int residualOff, float[] y, int yOff) {
        float lo = Float.isNaN(reluMax) ? Float.NEGATIVE_INFINITY : 0f;
        float hi = Float.isNaN(reluMax) ? Float.POSITIVE_INFINITY : reluMax;
        int r = 0;
        for (; r + 8 <= rows; r += 8) {
            int w = 0;
            for (int co = 0; co < cout; co += PANEL) {
                if (cout - co >= PANEL) {
                    tile8x2(x, xOff + r * xStride, xStride, cin, packed, w, bias, co, cout, lo, hi, y,
                            yOff + r * cout);
                    w += cin * PANEL;
                } else {
                    tile8x1(x, xOff + r * xStride, xStride, cin, packed, w, bias, co, cout, lo, hi, y,
                            yOff + r * cout);
                    w += cin * L;
                }
            }
            if (residual != null) {
                add(residual, residualOff + r * cout, y, yOff + r * cout, 8 * cout);
            }
        }
        for (; r < rows; r++) {
            int w = 0;
            for (int co = 0; co < cout; co += PANEL) {
                if (cout - co >= PANEL) {
                    tile1x2(x, xOff + r * xStride, cin, packed, w, bias, co, lo, hi, y, yOff + r * cout);
                    w += cin * PANEL;
                } else {
                    tile1x1(x, xOff + r * xStride, cin, packed, w, bias, co, lo, hi, y, yOff + r * cout);
                    w += cin * L;
                }
            }
            if (residual != null) {
                add(residual, residualOff + r * cout, y, yOff + r * cout, cout);
            }
        }
    }

    /** {@code y[yo, yo + n) += res[ro, ro + n)}: the residual, while the tile just stored is still in L1. */
    private static void add(float[] res, int ro, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector.fromArray(SPECIES, y, yo + i).add(FloatVector.fromArray(SPECIES, res, ro + i))
                    .intoArray(y, yo + i);
        }
    }

    /** 8 pixels x one full panel; {@code xo} is the first pixel's first input, {@code yo} its output row. */
    private static void tile8x2(float[] x, int xo, int xs, int cin, float[] w, int wo, float[] bias, int co,
                                int cout, float lo, float hi, float[] y, int yo) {
        FloatVector b0 = FloatVector.fromArray(SPECIES, bias, co);
        FloatVector b1 = FloatVector.fromArray(SPECIES, bias, co + L);
        FloatVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        FloatVector a40 = b0, a41 = b1, a50 = b0, a51 = b1, a60 = b0, a61 = b1, a70 = b0, a71 = b1;
        for (int ci = 0; ci < cin; ci++, wo += PANEL) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, wo);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, wo + L);
            int i = xo + ci;
            FloatVector v = FloatVector.broadcast(SPECIES, x[i]);
            a00 = v.fma(w0, a00);
            a01 = v.fma(w1, a01);
            v = FloatVector.broadcast(SPECIES, x[i += xs]);
            a10 = v.fma(w0, a10);
            a11 = v.fma(w1, a11);
            v = FloatVector.broadcast(SPECIES, x[i += xs]);
            a20 = v.fma(w0, a20);
            a21 = v.fma(w1, a21);
            v = FloatVector.broadcast(SPECIES, x[i += xs]);
            a30 = v.fma(w0, a30);
            a31 = v.fma(w1, a31);
            v = FloatVector.broadcast(SPECIES, x[i += xs]);
            a40 = v.fma(w0, a40);
            a41 = v.fma(w1, a41);
            v = FloatVector.broadcast(SPECIES, x[i += xs]);
            a50 = v.fma(w0, a50);
            a51 = v.fma(w1, a51);
            v = FloatVector.broadcast(SPECIES, x[i += xs]);
            a60 = v.fma(w0, a60);
            a61 = v.fma(w1, a61);
            v = FloatVector.broadcast(SPECIES, x[i + xs]);
            a70 = v.fma(w0, a70);
            a71 = v.fma(w1, a71);
        }
        // The clamp written out on every store: a helper taking the vector would box it when not inlined.
        int o = yo + co;
        a00.max(lo).min(hi).intoArray(y, o);
        a01.max(lo).min(hi).intoArray(y, o + L);
        a10.max(lo).min(hi).intoArray(y, o += cout);
        a11.max(lo).min(hi).intoArray(y, o + L);
        a20.max(lo).min(hi).intoArray(y, o += cout);
        a21.max(lo).min(hi).intoArray(y, o + L);
        a30.max(lo).min(hi).intoArray(y, o += cout);
        a31.max(lo).min(hi).intoArray(y, o + L);
        a40.max(lo).min(hi).intoArray(y, o += cout);
        a41.max(lo).min(hi).intoArray(y, o + L);
        a50.max(lo).min(hi).intoArray(y, o += cout);
        a51.max(lo).min(hi).intoArray(y, o + L);
        a60.max(lo).min(hi).intoArray(y, o += cout);
        a61.max(lo).min(hi).intoArray(y, o + L);
        a70.max(lo).min(hi).intoArray(y, o += cout);
        a71.max(lo).min(hi).intoArray(y, o + L);
    }

    /** 8 pixels x a half panel (one vector): eight independent accumulators, so the FMAs do not wait in line. */
    private static void tile8x1(float[] x, int xo, int xs, int cin, float[] w, int wo, float[] bias, int co,
                                int cout, float lo, float hi, float[] y, int yo) {
        FloatVector b = FloatVector.fromArray(SPECIES, bias, co);
        FloatVector a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;
        for (int ci = 0; ci < cin; ci++, wo += L) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, wo);
            int i = xo + ci;
            a0 = FloatVector.broadcast(SPECIES, x[i]).fma(w0, a0);
            a1 = FloatVector.broadcast(SPECIES, x[i += xs]).fma(w0, a1);
            a2 = FloatVector.broadcast(SPECIES, x[i += xs]).fma(w0, a2);
            a3 = FloatVector.broadcast(SPECIES, x[i += xs]).fma(w0, a3);
            a4 = FloatVector.broadcast(SPECIES, x[i += xs]).fma(w0, a4);
            a5 = FloatVector.broadcast(SPECIES, x[i += xs]).fma(w0, a5);
            a6 = FloatVector.broadcast(SPECIES, x[i += xs]).fma(w0, a6);
            a7 = FloatVector.broadcast(SPECIES, x[i + xs]).fma(w0, a7);
        }
        int o = yo + co;
        a0.max(lo).min(hi).intoArray(y, o);
        a1.max(lo).min(hi).intoArray(y, o += cout);
        a2.max(lo).min(hi).intoArray(y, o += cout);
        a3.max(lo).min(hi).intoArray(y, o += cout);
        a4.max(lo).min(hi).intoArray(y, o += cout);
        a5.max(lo).min(hi).intoArray(y, o += cout);
        a6.max(lo).min(hi).intoArray(y, o += cout);
        a7.max(lo).min(hi).intoArray(y, o += cout);
    }

    private static void tile1x2(float[] x, int xo, int cin, float[] w, int wo, float[] bias, int co, float lo,
                                float hi, float[] y, int yo) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, bias, co);
        FloatVector a1 = FloatVector.fromArray(SPECIES, bias, co + L);
        for (int ci = 0; ci < cin; ci++, wo += PANEL) {
            FloatVector v = FloatVector.broadcast(SPECIES, x[xo + ci]);
            a0 = v.fma(FloatVector.fromArray(SPECIES, w, wo), a0);
            a1 = v.fma(FloatVector.fromArray(SPECIES, w, wo + L), a1);
        }
        int o = yo + co;
        a0.max(lo).min(hi).intoArray(y, o);
        a1.max(lo).min(hi).intoArray(y, o + L);
    }

    private static void tile1x1(float[] x, int xo, int cin, float[] w, int wo, float[] bias, int co, float lo,
                                float hi, float[] y, int yo) {
        FloatVector a = FloatVector.fromArray(SPECIES, bias, co);
        for (int ci = 0; ci < cin; ci++, wo += L) {
            a = FloatVector.broadcast(SPECIES, x[xo + ci]).fma(FloatVector.fromArray(SPECIES, w, wo), a);
        }
        a.max(lo).min(hi).intoArray(y, yo + co);
    }

    @Override
    public void depthwiseRow(float[] x, int[] rowOffsets, int inW, int c, int kh, int kw, int stride, int padLeft,
                             float[] k, float[] bias, float reluMax, float[] y, int yOff, int outW) {
        float lo = Float.isNaN(reluMax) ? Float.NEGATIVE_INFINITY : 0f;
        float hi = Float.isNaN(reluMax) ? Float.POSITIVE_INFINITY : reluMax;
        // Output columns whose window lies inside the input need no bounds checks.
        int first = Math.min(outW, (padLeft + stride - 1) / stride);
        int last = Math.max(first, Math.min(outW, Math.floorDiv(inW - kw + padLeft, stride) + 1));
        // Helpers get the bias's place, not a vector: a vector argument is boxed when the call is not inlined.
        for (int c0 = 0; c0 < c; c0 += L) {
            if (kh == 3 && kw == 3) {
                interior3x3(x, rowOffsets, c, stride, padLeft, k, bias, c0, lo, hi, y, yOff, first, last);
                for (int ox = 0; ox < first; ox++) {
                    border3x3(x, rowOffsets, inW, c, stride, padLeft, k, bias, c0, lo, hi, y, yOff, ox);
                }
                for (int ox = last; ox < outW; ox++) {
                    border3x3(x, rowOffsets, inW, c, stride, padLeft, k, bias, c0, lo, hi, y, yOff, ox);
                }
            } else {
                for (int ox = 0; ox < outW; ox++) {
                    pixel(x, rowOffsets, inW, c, kh, kw, stride, padLeft, k, bias, c0, lo, hi, y, yOff, ox);
                }
            }
        }
    }

    /** The nine taps of one channel vector stay in registers across the row. */
    private static void interior3x3(float[] x, int[] rows, int c, int stride, int padLeft, float[] k,
                                    float[] bias, int c0, float lo, float hi, float[] y, int yOff, int first,
                                    int last) {
        FloatVector b = FloatVector.fromArray(SPECIES, bias, c0);
        FloatVector k00 = FloatVector.fromArray(SPECIES, k, c0);
        FloatVector k01 = FloatVector.fromArray(SPECIES, k, c + c0);
        FloatVector k02 = FloatVector.fromArray(SPECIES, k, 2 * c + c0);
        FloatVector k10 = FloatVector.fromArray(SPECIES, k, 3 * c + c0);
        FloatVector k11 = FloatVector.fromArray(SPECIES, k, 4 * c + c0);
        FloatVector k12 = FloatVector.fromArray(SPECIES, k, 5 * c + c0);
        FloatVector k20 = FloatVector.fromArray(SPECIES, k, 6 * c + c0);
        FloatVector k21 = FloatVector.fromArray(SPECIES, k, 7 * c + c0);
        FloatVector k22 = FloatVector.fromArray(SPECIES, k, 8 * c + c0);
        int r0 = rows[0] + c0;
        int r1 = rows[1] + c0;
        int r2 = rows[2] + c0;
        int step = stride * c;
        int i = (first * stride - padLeft) * c;
        for (int ox = first, o = yOff + first * c + c0; ox < last; ox++, o += c, i += step) {
            FloatVector a = FloatVector.fromArray(SPECIES, x, r0 + i).fma(k00, b);
            a = FloatVector.fromArray(SPECIES, x, r0 + i + c).fma(k01, a);
            a = FloatVector.fromArray(SPECIES, x, r0 + i + 2 * c).fma(k02, a);
            a = FloatVector.fromArray(SPECIES, x, r1 + i).fma(k10, a);
            a = FloatVector.fromArray(SPECIES, x, r1 + i + c).fma(k11, a);
            a = FloatVector.fromArray(SPECIES, x, r1 + i + 2 * c).fma(k12, a);
            a = FloatVector.fromArray(SPECIES, x, r2 + i).fma(k20, a);
            a = FloatVector.fromArray(SPECIES, x, r2 + i + c).fma(k21, a);
            a = FloatVector.fromArray(SPECIES, x, r2 + i + 2 * c).fma(k22, a);
            a.max(lo).min(hi).intoArray(y, o);
        }
    }

    /**
     * A 3x3 pixel at the left or right edge, without branches: a tap outside the row reads the row's first pixel
     * and weighs it 0. (A vector updated under a condition, or carried around a loop, is boxed by C2.)
     */
    private static void border3x3(float[] x, int[] rows, int inW, int c, int stride, int padLeft, float[] k,
                                  float[] bias, int c0, float lo, float hi, float[] y, int yOff, int ox) {
        int ix = ox * stride - padLeft;
        float w0 = ix >= 0 && ix < inW ? 1f : 0f;
        float w1 = ix + 1 >= 0 && ix + 1 < inW ? 1f : 0f;
        float w2 = ix + 2 >= 0 && ix + 2 < inW ? 1f : 0f;
        int i0 = w0 == 0f ? 0 : ix * c;
        int i1 = w1 == 0f ? 0 : (ix + 1) * c;
        int i2 = w2 == 0f ? 0 : (ix + 2) * c;
        FloatVector a = FloatVector.fromArray(SPECIES, bias, c0);
        for (int ky = 0; ky < 3; ky++) {
            int r = rows[ky] + c0;
            int t = 3 * ky * c + c0;
            a = FloatVector.fromArray(SPECIES, x, r + i0).fma(FloatVector.fromArray(SPECIES, k, t).mul(w0), a);
            a = FloatVector.fromArray(SPECIES, x, r + i1).fma(FloatVector.fromArray(SPECIES, k, t + c).mul(w1), a);
            a = FloatVector.fromArray(SPECIES, x, r + i2).fma(FloatVector.fromArray(SPECIES, k, t + 2 * c).mul(w2),
                    a);
        }
        a.max(lo).min(hi).intoArray(y, yOff + ox * c + c0);
    }

    /**
     * Any other kernel size, one pixel's channel vector accumulated in the output row itself (no vector lives
     * across the tap loops), skipping taps outside the row (zero padding).
     */
    private static void pixel(float[] x, int[] rows, int inW, int c, int kh, int kw, int stride, int padLeft,
                              float[] k, float[] bias, int c0, float lo, float hi, float[] y, int yOff, int ox) {
        int o = yOff + ox * c + c0;
        FloatVector.fromArray(SPECIES, bias, c0).intoArray(y, o);
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int ix = ox * stride + kx - padLeft;
                if (ix >= 0 && ix < inW) {
                    FloatVector.fromArray(SPECIES, x, rows[ky] + ix * c + c0)
                            .fma(FloatVector.fromArray(SPECIES, k, (ky * kw + kx) * c + c0),
                                    FloatVector.fromArray(SPECIES, y, o))
                            .intoArray(y, o);
                }
            }
        }
        FloatVector.fromArray(SPECIES, y, o).max(lo).min(hi).intoArray(y, o);
    }
}
