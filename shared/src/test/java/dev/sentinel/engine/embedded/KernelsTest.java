package dev.sentinel.engine.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kernel against a plain double-precision reference, on shapes that reach every branch: pixel counts that
 * leave partial tiles, channel counts that leave a half panel or need padding, residuals, strides, padding on
 * every side, kernels other than 3x3. Surefire runs it at the platform's widest vectors and again at 128 bits.
 */
class KernelsTest {

    private final Random random = new Random(21);

    static Stream<String> paths() {
        return Stream.of("scalar", "vector");
    }

    private static Kernels kernels(String path) {
        Kernels k = path.equals("scalar") ? Kernels.scalar() : Kernels.vector(new HashMap<>());
        assumeTrue(k != null, "the JVM was started without the Vector API module");
        return k;
    }

    @ParameterizedTest
    @MethodSource("paths")
    void pointwiseMatchesTheDefinition(String path) {
        Kernels k = kernels(path);
        for (int[] shape : new int[][] {{1, 3, 8}, {7, 27, 32}, {8, 16, 24}, {13, 24, 144}, {49, 96, 16},
                {20, 5, 40}, {17, 33, 100}}) {
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean residual : new boolean[] {false, true}) {
                    checkPointwise(k, shape[0], shape[1], shape[2], relu, residual);
                }
            }
        }
    }

    private void checkPointwise(Kernels k, int rows, int cin, int cout, boolean relu, boolean withResidual) {
        int xStride = cin + 3;
        int stride = Kernels.align(cout, k.channelAlign());
        float[] x = randoms(5 + rows * xStride);
        float[] w = randoms(cin * cout);
        float[] bias = Kernels.padChannels(randoms(cout), cout, stride);
        float[] residual = withResidual ? randoms(2 + rows * stride) : null;
        float[] y = new float[3 + rows * stride];
        float reluMax = relu ? 0.5f : Float.NaN;

        k.pointwise(x, 5, xStride, rows, cin, Kernels.packPanels(w, cin, cout, stride, k.panelWidth()), bias, stride,
                reluMax, residual, 2, y, 3);

        for (int r = 0; r < rows; r++) {
            for (int co = 0; co < stride; co++) {
                double sum = bias[co];
                for (int ci = 0; ci < cin && co < cout; ci++) {
                    sum += (double) x[5 + r * xStride + ci] * w[ci * cout + co];
                }
                if (relu) {
                    sum = Math.min(Math.max(sum, 0), reluMax);
                }
                if (withResidual) {
                    sum += residual[2 + r * stride + co];
                }
                assertEquals(sum, y[3 + r * stride + co], 1e-5, k.path() + " " + rows + "x" + cin + "->" + cout
                        + " pixel " + r + " channel " + co + " relu " + relu + " residual " + withResidual);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void depthwiseMatchesTheDefinition(String path) {
        Kernels k = kernels(path);
        // kh, kw, stride, padTop, padLeft, padRight, channels, width
        for (int[] c : new int[][] {{3, 3, 1, 1, 1, 1, 32, 9}, {3, 3, 2, 0, 0, 1, 24, 10}, {3, 3, 2, 1, 1, 1, 16, 7},
                {3, 3, 1, 0, 0, 0, 8, 5}, {5, 5, 1, 2, 2, 2, 40, 6}, {1, 3, 1, 0, 1, 1, 12, 4},
                {3, 3, 1, 1, 1, 1, 3, 3}}) {
            checkDepthwise(k, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
        }
    }

    private void checkDepthwise(Kernels k, int kh, int kw, int stride, int padTop, int padLeft, int padRight,
                                int channels, int inW) {
        int c = Kernels.align(channels, k.channelAlign());
        int inH = inW + 1;
        int outW = (inW + padLeft + padRight - kw) / stride + 1;
        int outH = (inH + padTop + padTop - kh) / stride + 1;
        float[] map = new float[(inH + 1) * inW * c];
        for (int p = 0; p < inH * inW; p++) {
            for (int ch = 0; ch < channels; ch++) {
                map[p * c + ch] = (float) random.nextGaussian();
            }
        }
        int zeroRow = inH * inW * c;
        float[] kernel = new float[kh * kw * c];
        for (int t = 0; t < kh * kw; t++) {
            for (int ch = 0; ch < channels; ch++) {
                kernel[t * c + ch] = (float) random.nextGaussian();
            }
        }
        float[] bias = Kernels.padChannels(randoms(channels), channels, c);
        int[] rows = new int[kh];
        for (int oy = 0; oy < outH; oy++) {
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * stride + ky - padTop;
                rows[ky] = iy < 0 || iy >= inH ? zeroRow : iy * inW * c;
            }
            float[] y = new float[1 + outW * c];
            k.depthwiseRow(map, rows, inW, c, kh, kw, stride, padLeft, kernel, bias, 6f, y, 1, outW);
            for (int ox = 0; ox < outW; ox++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = bias[ch];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * stride + ky - padTop;
                            int ix = ox * stride + kx - padLeft;
                            if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
                                sum += (double) map[(iy * inW + ix) * c + ch] * kernel[(ky * kw + kx) * c + ch];
                            }
                        }
                    }
                    assertEquals(Math.min(Math.max(sum, 0), 6), y[1 + ox * c + ch], 1e-5, k.path() + " " + kh + "x"
                            + kw + "/" + stride + " row " + oy + " column " + ox + " channel " + ch);
                }
            }
        }
    }

    @Test
    void panelsHoldEveryWeightOnceAndPadWithZeros() {
        float[] w = new float[5 * 20];
        for (int i = 0; i < w.length; i++) {
            w[i] = i + 1;
        }
        float[] packed = Kernels.packPanels(w, 5, 20, 24, 16);
        // Panel of 16 channels, then one of 8 (20 real + 4 padding).
        assertEquals(5 * 24, packed.length);
        assertEquals(w[0], packed[0]);
        assertEquals(w[20 + 15], packed[16 + 15]);
        assertEquals(w[16], packed[5 * 16]);
        assertEquals(w[4 * 20 + 19], packed[5 * 16 + 4 * 8 + 3]);
        assertEquals(0f, packed[5 * 16 + 4 * 8 + 4]);
        List<Float> all = new ArrayList<>();
        for (float v : packed) {
            if (v != 0f) {
                all.add(v);
            }
        }
        assertEquals(w.length, all.size());
    }

    @Test
    void theSelectedKernelsAreOneOfTheTwoPaths() {
        Kernels selected = Kernels.selected();
        assertNotNull(selected);
        Kernels vector = Kernels.vector(new HashMap<>());
        assertEquals(vector == null ? "scalar" : "vector", selected.path(),
                "the vector path is the default whenever the JVM can run it");
    }

    private float[] randoms(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
