package dev.sentinel.engine.embedded;

/**
 * The Keras layer types the nsfwjs models use, as loaded: their options and weights, with TensorFlow's semantics
 * ('same' padding puts the odd extra pixel after, not before). {@link ForwardPlan} turns them into the steps of a
 * forward pass.
 */
final class Layers {

    private Layers() {
    }

    /** One layer of the model. */
    interface Layer {
    }

    /** How a convolution's output is finished: a folded batch normalization's shift and an optional ReLU cap. */
    static final class Epilogue {
        float[] bias;
        /** The cap of a fused ReLU (infinity for an uncapped one), NaN for none. */
        float reluMax = Float.NaN;
    }

    /** Top, bottom, left and right padding of a convolution or pooling window. */
    record Padding(int top, int bottom, int left, int right) {

        static final Padding NONE = new Padding(0, 0, 0, 0);

        static Padding of(String mode, int inH, int inW, int kh, int kw, int sh, int sw) {
            return switch (mode) {
                case "valid" -> NONE;
                case "same" -> {
                    int padH = Math.max((ceilDiv(inH, sh) - 1) * sh + kh - inH, 0);
                    int padW = Math.max((ceilDiv(inW, sw) - 1) * sw + kw - inW, 0);
                    yield new Padding(padH / 2, padH - padH / 2, padW / 2, padW - padW / 2);
                }
                default -> throw new ModelFormatException("padding '" + mode + "' is not supported");
            };
        }

        Padding plus(Padding other) {
            return new Padding(top + other.top, bottom + other.bottom, left + other.left, right + other.right);
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
    }

    /** DepthwiseConv2D with depth multiplier 1: kernel laid out [kh][kw][channels]. */
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
    }

    /** ReLU with an optional cap (ReLU6), no negative slope, zero threshold. */
    record ReLU(float max) implements Layer { }

    record ZeroPadding2D(int top, int bottom, int left, int right) implements Layer {
        Padding padding() {
            return new Padding(top, bottom, left, right);
        }
    }

    static final class Add implements Layer { }

    /** AveragePooling2D with 'valid' padding. */
    record AveragePooling2D(int ph, int pw, int sh, int sw) implements Layer { }

    /** Flatten keeps the channels-last order. */
    static final class Flatten implements Layer { }

    /** Dropout does nothing at inference. */
    static final class Identity implements Layer { }

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
    }

    /** Softmax in place over {@code y[from, from + n)}, from the largest value down so exp cannot overflow. */
    static void softmax(float[] y, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            max = Math.max(max, y[i]);
        }
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += Math.exp(y[i] - max);
        }
        for (int i = from; i < from + n; i++) {
            y[i] = (float) (Math.exp(y[i] - max) / sum);
        }
    }
}
