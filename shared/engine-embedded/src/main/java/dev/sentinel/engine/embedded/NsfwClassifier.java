package dev.sentinel.engine.embedded;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The nsfwjs 4.4.0 image classifier (MobileNetV2, 224 x 224 input; classes Drawing, Hentai, Neutral, Porn, Sexy)
 * run in plain Java.
 *
 * <p>Preprocessing is what nsfwjs's {@code infer} does on a decoded image: RGB channels in that order (alpha
 * dropped), each value divided by 255 as float32, then, unless the image is already 224 x 224,
 * {@code tf.image.resizeBilinear(image, [224, 224], alignCorners = true)} (so corner pixels map to corner pixels and
 * half-pixel centres are not used). No mean subtraction: the model was trained on [0, 1] inputs.
 */
public final class NsfwClassifier {

    public static final List<String> CLASSES = List.of("Drawing", "Hentai", "Neutral", "Porn", "Sexy");
    public static final String DEFAULT_MODEL = "/models/nsfwjs/mobilenet_v2";

    private final KerasModel model;

    public NsfwClassifier(KerasModel model) {
        if (model.inputHeight() <= 1 || model.inputWidth() <= 1) {
            throw new ModelFormatException("the model's input must be at least 2x2 pixels");
        }
        this.model = model;
    }

    public static NsfwClassifier fromClasspath(String folder) {
        return new NsfwClassifier(KerasModel.fromClasspath(folder));
    }

    /** {@code nsfwjs-mobilenet_v2@4.4.0}: the weights' name and version, recorded on every verdict. */
    public String modelVersion() {
        return model.name() + "@" + model.version();
    }

    /** The five class probabilities, in {@link #CLASSES} order. */
    public float[] classify(BufferedImage image) {
        return classify(image, Runtime.getRuntime().availableProcessors());
    }

    /** The same with at most {@code threads} threads for the forward pass. */
    public float[] classify(BufferedImage image, int threads) {
        return classifyInput(input(image), threads);
    }

    /** The model's input for an image: {@code 224 x 224 x 3} floats in [0, 1], channels last (RGB). */
    public float[] input(BufferedImage image) {
        return preprocess(image, model.inputHeight(), model.inputWidth()).data();
    }

    /** The forward pass alone, on an {@link #input}: what the benchmarks compare with other runtimes. */
    public float[] classifyInput(float[] input, int threads) {
        float[] probabilities = model.predict(input, threads);
        if (probabilities.length != CLASSES.size()) {
            throw new ModelFormatException("the model has " + probabilities.length + " outputs, expected "
                    + CLASSES.size());
        }
        return probabilities;
    }

    /** {@code vector-<bits>} or {@code scalar}: the kernels the forward pass runs on. */
    public String kernels() {
        return model.kernels();
    }

    /** Classifies the image once and returns the time each layer took (see {@link KerasModel#profile}). */
    public List<LayerTime> profileLayers(BufferedImage image) {
        return model.profile(preprocess(image, model.inputHeight(), model.inputWidth()));
    }

    static FeatureMap preprocess(BufferedImage image, int height, int width) {
        int h = image.getHeight();
        int w = image.getWidth();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] rgb = new float[h * w * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb[i * 3] = (float) (((p >> 16) & 0xFF) / 255.0);
            rgb[i * 3 + 1] = (float) (((p >> 8) & 0xFF) / 255.0);
            rgb[i * 3 + 2] = (float) ((p & 0xFF) / 255.0);
        }
        if (h == height && w == width) {
            return new FeatureMap(rgb, h, w, 3);
        }
        return resizeBilinearAlignCorners(rgb, h, w, height, width);
    }

    /** TensorFlow's bilinear resize with align_corners=true and half_pixel_centers=false, computed in double. */
    static FeatureMap resizeBilinearAlignCorners(float[] in, int inH, int inW, int outH, int outW) {
        float[] out = new float[outH * outW * 3];
        double rowRatio = (inH - 1.0) / (outH - 1.0);
        double colRatio = (inW - 1.0) / (outW - 1.0);
        for (int r = 0; r < outH; r++) {
            double srcRow = rowRatio * r;
            int top = (int) Math.floor(srcRow);
            int bottom = Math.min(inH - 1, (int) Math.ceil(srcRow));
            double rowFrac = srcRow - top;
            for (int c = 0; c < outW; c++) {
                double srcCol = colRatio * c;
                int left = (int) Math.floor(srcCol);
                int right = Math.min(inW - 1, (int) Math.ceil(srcCol));
                double colFrac = srcCol - left;
                for (int ch = 0; ch < 3; ch++) {
                    double topLeft = in[(top * inW + left) * 3 + ch];
                    double topRight = in[(top * inW + right) * 3 + ch];
                    double bottomLeft = in[(bottom * inW + left) * 3 + ch];
                    double bottomRight = in[(bottom * inW + right) * 3 + ch];
                    double upper = topLeft + (topRight - topLeft) * colFrac;
                    double lower = bottomLeft + (bottomRight - bottomLeft) * colFrac;
                    out[(r * outW + c) * 3 + ch] = (float) (upper + (lower - upper) * rowFrac);
                }
            }
        }
        return new FeatureMap(out, outH, outW, 3);
    }
}
