package dev.sentinel.engine.embedded;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The Keras layer types the nsfwjs models use, evaluated for inference on one image, channels last, with
 * TensorFlow's semantics ('same' padding puts the odd extra pixel after, not before).
 *
 * <p>Convolutions keep the output channel innermost so the hot loops run over contiguous arrays the JIT can
 * vectorize; rows of the output are computed in parallel.
 */
final class Layers {

    private Layers() {
    }

    /** One step of the forward pass. */
    interface Layer {
        FeatureMap apply(List<FeatureMap> inputs);
    }

    /** How a convolution's output is finished: a folded batch normalization's shift and an optional ReLU cap. */
    static final class Epilogue {
        float[] bias;
        float reluMax = Float.NaN;

        boolean relu() {
            return !Float.isNaN(reluMax);
        }
    }

    /** Top, bottom, left and right padding of a convolution or pooling window. */
    record Padding(int top, int bottom, int left, int right) {

        static Padding of(String mode, int inH, int inW, int kh, int kw, int sh, int sw) {
            return switch (mode) {
                case "valid" -> new Padding(0, 0, 0, 0);
                case "same" -> {
                    int padH = Math.max((ceilDiv(inH, sh) - 1) * sh + kh - inH, 0);
                    int padW = Math.max((ceilDiv(inW, sw) - 1) * sw + kw - inW, 0);
                    yield new Padding(padH / 2, padH - padH / 2, padW / 2, padW - padW / 2);
                }
                default -> throw new ModelFormatException("padding '" + mode + "' is not supported");
            };
        }

        int outH(int inH, int kh, int sh) {
            return (inH + top + bottom - kh) / sh + 1;
        }

        int outW(int inW, int kw, int sw) {
            return (inW + left + right - kw) / sw + 1;
        }

        private static int ceilDiv(int a, int b) {
            return -Math.floorDiv(-a, b);
        }
    }

    /** Conv2D: kernel laid out [kh][kw][in][out]. */
    static final class Conv2D implements Layer {
        final int kh;
        final int kw;
        final int sh;
        final int sw;
        final String padding;
        final int filters;
        float[] kernel;
        final Epilogue epilogue = new Epilogue();

        Conv2D(int kh, int kw, int sh, int sw, String padding, int filters) {
            this.kh = kh;
            this.kw = kw;
            this.sh = sh;
            this.sw = sw;
            this.padding = padding;
            this.filters = filters;
        }

        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            Padding pad = Padding.of(padding, in.height(), in.width(), kh, kw, sh, sw);
            int outH = pad.outH(in.height(), kh, sh);
            int outW = pad.outW(in.width(), kw, sw);
            int cin = in.channels();
            int cout = filters;
            FeatureMap out = FeatureMap.zeros(outH, outW, cout);
            float[] x = in.data();
            float[] y = out.data();
            float[] k = kernel;
            IntStream.range(0, outH).parallel().forEach(oy -> {
                for (int ox = 0; ox < outW; ox++) {
                    int o = (oy * outW + ox) * cout;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * sh + ky - pad.top();
                        if (iy < 0 || iy >= in.height()) {
                            continue;
                        }
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ox * sw + kx - pad.left();
                            if (ix < 0 || ix >= in.width()) {
                                continue;
                            }
                            int i = (iy * in.width() + ix) * cin;
                            int kBase = (ky * kw + kx) * cin * cout;
                            for (int ci = 0; ci < cin; ci++) {
                                float v = x[i + ci];
                                if (v == 0f) {
                                    continue;
                                }
                                int kRow = kBase + ci * cout;
                                for (int co = 0; co < cout; co++) {
                                    y[o + co] += v * k[kRow + co];
                                }
                            }
                        }
                    }
                    finish(y, o, cout, epilogue);
                }
            });
            return out;
        }
    }

    /**
     * DepthwiseConv2D with depth multiplier 1: kernel laid out [kh][kw][channels]. The window walk is the same as
     * Conv2D's and written out again on purpose: the inner loops differ, and a shared callback per tap would cost a
     * call in the hottest code of the engine.
     */
    static final class DepthwiseConv2D implements Layer {
        final int kh;
        final int kw;
        final int sh;
        final int sw;
        final String padding;
        float[] kernel;
        final Epilogue epilogue = new Epilogue();

        DepthwiseConv2D(int kh, int kw, int sh, int sw, String padding) {
            this.kh = kh;
            this.kw = kw;
            this.sh = sh;
            this.sw = sw;
            this.padding = padding;
        }

        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            Padding pad = Padding.of(padding, in.height(), in.width(), kh, kw, sh, sw);
            int outH = pad.outH(in.height(), kh, sh);
            int outW = pad.outW(in.width(), kw, sw);
            int c = in.channels();
            FeatureMap out = FeatureMap.zeros(outH, outW, c);
            float[] x = in.data();
            float[] y = out.data();
            float[] k = kernel;
            IntStream.range(0, outH).parallel().forEach(oy -> {
                for (int ox = 0; ox < outW; ox++) {
                    int o = (oy * outW + ox) * c;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * sh + ky - pad.top();
                        if (iy < 0 || iy >= in.height()) {
                            continue;
                        }
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ox * sw + kx - pad.left();
                            if (ix < 0 || ix >= in.width()) {
                                continue;
                            }
                            int i = (iy * in.width() + ix) * c;
                            int kOff = (ky * kw + kx) * c;
                            for (int ch = 0; ch < c; ch++) {
                                y[o + ch] += x[i + ch] * k[kOff + ch];
                            }
                        }
                    }
                    finish(y, o, c, epilogue);
                }
            });
            return out;
        }
    }

    private static void finish(float[] y, int offset, int channels, Epilogue epilogue) {
        if (epilogue.bias != null) {
            float[] b = epilogue.bias;
            for (int ch = 0; ch < channels; ch++) {
                y[offset + ch] += b[ch];
            }
        }
        if (epilogue.relu()) {
            float max = epilogue.reluMax;
            for (int ch = 0; ch < channels; ch++) {
                y[offset + ch] = Math.min(Math.max(y[offset + ch], 0f), max);
            }
        }
    }

    /** BatchNormalization at inference: y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, per channel. */
    static final class BatchNormalization implements Layer {
        final float[] scale;
        final float[] shift;

        BatchNormalization(float[] gamma, float[] beta, float[] mean, float[] variance, double epsilon) {
            int c = mean.length;
            scale = new float[c];
            shift = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double s = (gamma == null ? 1.0 : gamma[ch]) / Math.sqrt(variance[ch] + epsilon);
                scale[ch] = (float) s;
                shift[ch] = (float) ((beta == null ? 0.0 : beta[ch]) - mean[ch] * s);
            }
        }

        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            float[] x = in.data();
            float[] y = new float[x.length];
            int c = in.channels();
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] * scale[i % c] + shift[i % c];
            }
            return new FeatureMap(y, in.height(), in.width(), c);
        }
    }

    /** ReLU with an optional cap (ReLU6), no negative slope, zero threshold. */
    record ReLU(float max) implements Layer {
        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            float[] x = in.data();
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.min(Math.max(x[i], 0f), max);
            }
            return new FeatureMap(y, in.height(), in.width(), in.channels());
        }
    }

    record ZeroPadding2D(int top, int bottom, int left, int right) implements Layer {
        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            int c = in.channels();
            FeatureMap out = FeatureMap.zeros(in.height() + top + bottom, in.width() + left + right, c);
            for (int yy = 0; yy < in.height(); yy++) {
                System.arraycopy(in.data(), yy * in.width() * c, out.data(),
                        ((yy + top) * out.width() + left) * c, in.width() * c);
            }
            return out;
        }
    }

    static final class Add implements Layer {
        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap first = inputs.get(0);
            float[] y = first.data().clone();
            for (FeatureMap other : inputs.subList(1, inputs.size())) {
                if (other.data().length != y.length) {
                    throw new ModelFormatException("Add of " + first.shape() + " and " + other.shape());
                }
                float[] x = other.data();
                for (int i = 0; i < y.length; i++) {
                    y[i] += x[i];
                }
            }
            return new FeatureMap(y, first.height(), first.width(), first.channels());
        }
    }

    /** AveragePooling2D with 'valid' padding. */
    record AveragePooling2D(int ph, int pw, int sh, int sw) implements Layer {
        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            int c = in.channels();
            int outH = (in.height() - ph) / sh + 1;
            int outW = (in.width() - pw) / sw + 1;
            FeatureMap out = FeatureMap.zeros(outH, outW, c);
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int o = (oy * outW + ox) * c;
                    for (int ky = 0; ky < ph; ky++) {
                        for (int kx = 0; kx < pw; kx++) {
                            int i = ((oy * sh + ky) * in.width() + ox * sw + kx) * c;
                            for (int ch = 0; ch < c; ch++) {
                                out.data()[o + ch] += in.data()[i + ch];
                            }
                        }
                    }
                    for (int ch = 0; ch < c; ch++) {
                        out.data()[o + ch] /= ph * pw;
                    }
                }
            }
            return out;
        }
    }

    /** Flatten keeps the channels-last order, which is already the flat order. */
    static final class Flatten implements Layer {
        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            FeatureMap in = inputs.get(0);
            return new FeatureMap(in.data(), 1, 1, in.data().length);
        }
    }

    /** Dropout does nothing at inference. */
    static final class Identity implements Layer {
        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            return inputs.get(0);
        }
    }

    enum Activation { LINEAR, RELU, SOFTMAX }

    /** Dense: kernel laid out [in][units]. */
    static final class Dense implements Layer {
        final float[] kernel;
        final float[] bias;
        final int units;
        final Activation activation;

        Dense(float[] kernel, float[] bias, int units, Activation activation) {
            this.kernel = kernel;
            this.bias = bias;
            this.units = units;
            this.activation = activation;
        }

        @Override
        public FeatureMap apply(List<FeatureMap> inputs) {
            float[] x = inputs.get(0).data();
            if (x.length * units != kernel.length) {
                throw new ModelFormatException("Dense of " + units + " units got " + x.length + " inputs");
            }
            float[] y = bias == null ? new float[units] : bias.clone();
            for (int i = 0; i < x.length; i++) {
                float v = x[i];
                int row = i * units;
                for (int u = 0; u < units; u++) {
                    y[u] += v * kernel[row + u];
                }
            }
            activate(y, activation);
            return new FeatureMap(y, 1, 1, units);
        }
    }

    static void activate(float[] y, Activation activation) {
        switch (activation) {
            case LINEAR -> { }
            case RELU -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.max(y[i], 0f);
                }
            }
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (float v : y) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                double[] e = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    e[i] = Math.exp(y[i] - max);
                    sum += e[i];
                }
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (e[i] / sum);
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
