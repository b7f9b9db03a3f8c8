package dev.sentinel.engine.embedded;

import dev.sentinel.log.StructuredLog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hot loops of the forward pass, in two implementations that agree within 1e-5: {@link VectorKernels} (the
 * incubating Vector API, SIMD registers of the platform's preferred width) and {@link ScalarKernels} (plain Java,
 * for a JVM started without {@code --add-modules jdk.incubator.vector}). One of them is chosen once per JVM
 * ({@link #selected()}) and that choice is logged once.
 *
 * <p>Feature maps are channels last with each pixel's channels padded with zeros to a multiple of
 * {@link #channelAlign()}, so the vector loops never meet a partial vector; the padding stays zero because padded
 * weights and biases are zero. Pointwise weights are packed once, at load, into panels of {@link #panelWidth()}
 * output channels ({@link #packPanels}).
 */
interface Kernels {

    /** Property that forces a path: {@code scalar} or {@code vector} (the default when the module is present). */
    String PATH_PROPERTY = "sentinel.embedded.kernels";
    /** Property that narrows the vector width, in bits (128 is what arm64's NEON has); default the widest. */
    String BITS_PROPERTY = "sentinel.embedded.vectorBits";

    /** {@code vector} or {@code scalar}. */
    String path();

    /** Vector width in bits (32 for the scalar path). */
    int bits();

    /** Output channels per panel of a packed pointwise kernel. */
    int panelWidth();

    /** A map's channels are padded to a multiple of this, so a kernel never reads past a pixel's row. */
    default int channelAlign() {
        return panelWidth();
    }

    /**
     * For {@code rows} consecutive pixels of {@code x} (each {@code xStride} floats apart, the first {@code cin}
     * of them read), writes {@code y[r][co] = clamp(bias[co] + sum over ci of x[r][ci] * w[ci][co])
     * (+ residual[r][co])} for every padded output channel {@code co < cout}, rows {@code cout} floats apart.
     *
     * @param packed   the weights as {@link #packPanels} lays them out for {@code cin} inputs
     * @param reluMax  the cap of a fused ReLU (infinity for a plain ReLU), NaN for none
     * @param residual a map of the output's shape added after the activation (a fused Add), or null
     */
    void pointwise(float[] x, int xOff, int xStride, int rows, int cin, float[] packed, float[] bias, int cout,
                   float reluMax, float[] residual, int residualOff, float[] y, int yOff);

    /**
     * One output row of a depthwise convolution with depth multiplier 1 over {@code c} padded channels.
     * {@code rowOffsets[ky]} is where input row {@code oy * stride + ky - padTop} starts in {@code x}, or where a
     * row of zeros starts when that row is padding; columns outside the input are skipped (zero padding).
     *
     * @param k the kernel as [kh][kw][c], padded channels zero
     */
    void depthwiseRow(float[] x, int[] rowOffsets, int inW, int c, int kh, int kw, int stride, int padLeft,
                      float[] k, float[] bias, float reluMax, float[] y, int yOff, int outW);

    /** The kernels this JVM uses, chosen and logged on first use. */
    static Kernels selected() {
        return Selection.KERNELS;
    }

    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /** The Vector API kernels, or null (with the reason in {@code why}) when this JVM cannot run them. */
    static Kernels vector(Map<String, Object> why) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            why.put("reason", "the JVM was started without --add-modules jdk.incubator.vector");
            return null;
        }
        String compiler = withoutOptimisingCompiler();
        if (compiler != null) {
            why.put("reason", compiler);
            return null;
        }
        try {
            // By name, so the class (which links against the incubating module) is never loaded without it.
            Kernels vector = (Kernels) Class.forName("dev.sentinel.engine.embedded.VectorKernels")
                    .getDeclaredField("INSTANCE").get(null);
            if (vector.channelAlign() < 4) {
                why.put("reason", "the platform's vectors hold " + vector.channelAlign() + " floats");
                return null;
            }
            return vector;
        } catch (ReflectiveOperationException | LinkageError e) {
            why.put("reason", "the Vector API could not be loaded: " + e);
            return null;
        }
    }

    /**
     * Why this JVM cannot compile vector operations to SIMD instructions, or null. Only HotSpot's C2 does: under
     * the interpreter or C1 alone (-XX:TieredStopAtLevel=1, the fast-start setting of the functions that do not
     * run the engine) every vector is an object and the vector path is many times slower than the scalar one.
     */
    private static String withoutOptimisingCompiler() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return "the JVM runs interpreted only (-Xint), and the Vector API needs the C2 compiler";
        }
        try {
            var hotspot = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            boolean tiered = Boolean.parseBoolean(hotspot.getVMOption("TieredCompilation").getValue());
            int level = Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue());
            if (tiered && level < 4) {
                return "-XX:TieredStopAtLevel=" + level + " leaves out the C2 compiler, which the Vector API needs";
            }
        } catch (RuntimeException | LinkageError e) {
            // Not HotSpot, or no management module: nothing to tell, the vector path is tried.
        }
        return null;
    }

    /**
     * {@code w} laid out [k][cout] repacked for the pointwise kernel: output channels padded with zeros to
     * {@code coutPadded}, cut into panels of {@code panel} channels (the last may be narrower, a multiple of
     * {@code align}), each panel stored [k][panel width] so the kernel reads it front to back.
     */
    static float[] packPanels(float[] w, int k, int cout, int coutPadded, int panel) {
        float[] packed = new float[k * coutPadded];
        int at = 0;
        for (int p0 = 0; p0 < coutPadded; p0 += panel) {
            int width = Math.min(panel, coutPadded - p0);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < width && p0 + j < cout; j++) {
                    packed[at + i * width + j] = w[i * cout + p0 + j];
                }
            }
            at += k * width;
        }
        return packed;
    }

    /** {@code values} (one per channel) padded with zeros to {@code padded} channels. */
    static float[] padChannels(float[] values, int channels, int padded) {
        float[] out = new float[padded];
        System.arraycopy(values, 0, out, 0, channels);
        return out;
    }

    /** {@code n} rounded up to a multiple of {@code align}. */
    static int align(int n, int align) {
        return (n + align - 1) / align * align;
    }

    /** The once-per-JVM choice. */
    final class Selection {
        static final Kernels KERNELS = choose();

        private Selection() {
        }

        private static Kernels choose() {
            Map<String, Object> fields = new LinkedHashMap<>();
            String wanted = System.getProperty(PATH_PROPERTY, "vector");
            Kernels chosen;
            if (wanted.equals("scalar")) {
                fields.put("reason", PATH_PROPERTY + "=scalar");
                chosen = scalar();
            } else {
                Kernels vector = vector(fields);
                chosen = vector == null ? scalar() : vector;
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("path", chosen.path());
            line.put("vectorBits", chosen.bits());
            line.put("arch", System.getProperty("os.arch"));
            line.putAll(fields);
            StructuredLog.stdout("embedded-engine").info("embedded-kernels-selected", line);
            return chosen;
        }
    }
}
