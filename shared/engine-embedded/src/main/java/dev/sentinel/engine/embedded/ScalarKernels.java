package dev.sentinel.engine.embedded;

/**
 * The kernels in plain Java, for a JVM without the Vector API module. Same blocking as {@link VectorKernels}, in
 * scalar registers: a tile of 4 pixels x 8 output channels is 32 accumulators (bias first, input channels in
 * order), so the two paths differ only by the rounding of fused multiply-adds. Measured on x86 this runs at about
 * 9 GFLOP/s, three times a loop that adds into the output row for each input channel (which HotSpot's
 * auto-vectoriser does not rescue).
 */
final class ScalarKernels implements Kernels {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final int PANEL = 8;

    private ScalarKernels() {
    }

    @Override
    public String path() {
        return "scalar";
    }

    @Override
    public int panelWidth() {
        return PANEL;
    }

    @Override
    public int bits() {
        return Float.SIZE;
    }

    @Override
    public void pointwise(float[] x, int xOff, int xStride, int rows, int cin, float[] packed, float[] bias,
                          int cout, float reluMax, float[] residual, int residualOff, float[] y, int yOff) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            for (int co = 0, w = 0; co < cout; co += PANEL, w += cin * PANEL) {
                tile4(x, xOff + r * xStride, xStride, cin, packed, w, bias, co, y, yOff + r * cout + co, cout);
            }
            finish(y, yOff + r * cout, 4 * cout, reluMax, residual, residualOff + r * cout);
        }
        for (; r < rows; r++) {
            for (int co = 0, w = 0; co < cout; co += PANEL, w += cin * PANEL) {
                tile1(x, xOff + r * xStride, cin, packed, w, bias, co, y, yOff + r * cout + co);
            }
            finish(y, yOff + r * cout, cout, reluMax, residual, residualOff + r * cout);
        }
    }

    /** 4 pixels x 8 channels; {@code xo} is the first pixel's first input, {@code o} the first output. */
    private static void tile4(float[] x, int xo, int xs, int cin, float[] p, int w, float[] bias, int co, float[] y,
                              int o, int cout) {
        float a00 = bias[co], a01 = bias[co + 1], a02 = bias[co + 2], a03 = bias[co + 3];
        float a04 = bias[co + 4], a05 = bias[co + 5], a06 = bias[co + 6], a07 = bias[co + 7];
        float a10 = a00, a11 = a01, a12 = a02, a13 = a03, a14 = a04, a15 = a05, a16 = a06, a17 = a07;
        float a20 = a00, a21 = a01, a22 = a02, a23 = a03, a24 = a04, a25 = a05, a26 = a06, a27 = a07;
        float a30 = a00, a31 = a01, a32 = a02, a33 = a03, a34 = a04, a35 = a05, a36 = a06, a37 = a07;
        for (int ci = 0; ci < cin; ci++, w += PANEL) {
            float w0 = p[w], w1 = p[w + 1], w2 = p[w + 2], w3 = p[w + 3];
            float w4 = p[w + 4], w5 = p[w + 5], w6 = p[w + 6], w7 = p[w + 7];
            float v = x[xo + ci];
            a00 += v * w0; a01 += v * w1; a02 += v * w2; a03 += v * w3;
            a04 += v * w4; a05 += v * w5; a06 += v * w6; a07 += v * w7;
            v = x[xo + xs + ci];
            a10 += v * w0; a11 += v * w1; a12 += v * w2; a13 += v * w3;
            a14 += v * w4; a15 += v * w5; a16 += v * w6; a17 += v * w7;
            v = x[xo + 2 * xs + ci];
            a20 += v * w0; a21 += v * w1; a22 += v * w2; a23 += v * w3;
            a24 += v * w4; a25 += v * w5; a26 += v * w6; a27 += v * w7;
            v = x[xo + 3 * xs + ci];
            a30 += v * w0; a31 += v * w1; a32 += v * w2; a33 += v * w3;
            a34 += v * w4; a35 += v * w5; a36 += v * w6; a37 += v * w7;
        }
        y[o] = a00; y[o + 1] = a01; y[o + 2] = a02; y[o + 3] = a03;
        y[o + 4] = a04; y[o + 5] = a05; y[o + 6] = a06; y[o + 7] = a07;
        o += cout;
        y[o] = a10; y[o + 1] = a11; y[o + 2] = a12; y[o + 3] = a13;
        y[o + 4] = a14; y[o + 5] = a15; y[o + 6] = a16; y[o + 7] = a17;
        o += cout;
        y[o] = a20; y[o + 1] = a21; y[o + 2] = a22; y[o + 3] = a23;
        y[o + 4] = a24; y[o + 5] = a25; y[o + 6] = a26; y[o + 7] = a27;
        o += cout;
        y[o] = a30; y[o + 1] = a31; y[o + 2] = a32; y[o + 3] = a33;
        y[o + 4] = a34; y[o + 5] = a35; y[o + 6] = a36; y[o + 7] = a37;
    }

    private static void tile1(float[] x, int xo, int cin, float[] p, int w, float[] bias, int co, float[] y,
                              int o) {
        float a0 = bias[co], a1 = bias[co + 1], a2 = bias[co + 2], a3 = bias[co + 3];
        float a4 = bias[co + 4], a5 = bias[co + 5], a6 = bias[co + 6], a7 = bias[co + 7];
        for (int ci = 0; ci < cin; ci++, w += PANEL) {
            float v = x[xo + ci];
            a0 += v * p[w]; a1 += v * p[w + 1]; a2 += v * p[w + 2]; a3 += v * p[w + 3];
            a4 += v * p[w + 4]; a5 += v * p[w + 5]; a6 += v * p[w + 6]; a7 += v * p[w + 7];
        }
        y[o] = a0; y[o + 1] = a1; y[o + 2] = a2; y[o + 3] = a3;
        y[o + 4] = a4; y[o + 5] = a5; y[o + 6] = a6; y[o + 7] = a7;
    }

    @Override
    public void depthwiseRow(float[] x, int[] rowOffsets, int inW, int c, int kh, int kw, int stride, int padLeft,
                             float[] k, float[] bias, float reluMax, float[] y, int yOff, int outW) {
        int first = Math.min(outW, (padLeft + stride - 1) / stride);
        int last = Math.max(first, Math.min(outW, Math.floorDiv(inW - kw + padLeft, stride) + 1));
        for (int ox = 0; ox < outW; ox++) {
            int o = yOff + ox * c;
            if (kh == 3 && kw == 3 && ox >= first && ox < last) {
                interior3x3(x, rowOffsets, c, (ox * stride - padLeft) * c, k, bias, y, o);
            } else {
                System.arraycopy(bias, 0, y, o, c);
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * stride + kx - padLeft;
                        if (ix < 0 || ix >= inW) {
                            continue;
                        }
                        int i = rowOffsets[ky] + ix * c;
                        int t = (ky * kw + kx) * c;
                        for (int ch = 0; ch < c; ch++) {
                            y[o + ch] += x[i + ch] * k[t + ch];
                        }
                    }
                }
            }
            finish(y, o, c, reluMax, null, 0);
        }
    }

    /** All nine taps of a pixel in one pass over its channels, which the auto-vectoriser turns into SIMD. */
    private static void interior3x3(float[] x, int[] rows, int c, int i, float[] k, float[] bias, float[] y, int o) {
        int r0 = rows[0] + i;
        int r1 = rows[1] + i;
        int r2 = rows[2] + i;
        for (int ch = 0; ch < c; ch++) {
            float a = bias[ch] + x[r0 + ch] * k[ch];
            a += x[r0 + c + ch] * k[c + ch];
            a += x[r0 + 2 * c + ch] * k[2 * c + ch];
            a += x[r1 + ch] * k[3 * c + ch];
            a += x[r1 + c + ch] * k[4 * c + ch];
            a += x[r1 + 2 * c + ch] * k[5 * c + ch];
            a += x[r2 + ch] * k[6 * c + ch];
            a += x[r2 + c + ch] * k[7 * c + ch];
            a += x[r2 + 2 * c + ch] * k[8 * c + ch];
            y[o + ch] = a;
        }
    }

    private static void finish(float[] y, int o, int n, float reluMax, float[] residual, int r) {
        if (!Float.isNaN(reluMax)) {
            for (int j = 0; j < n; j++) {
                y[o + j] = Math.min(Math.max(y[o + j], 0f), reluMax);
            }
        }
        if (residual != null) {
            for (int j = 0; j < n; j++) {
                y[o + j] += residual[r + j];
            }
        }
    }
}
