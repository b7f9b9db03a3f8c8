package dev.sentinel.engine.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.engine.embedded.Layers.Layer;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Keras functional model as TensorFlow.js saves it (topology JSON + weights manifest + weight bytes), loaded once
 * and run for inference in plain Java.
 *
 * <p>Only the layer types below are implemented; any other layer, or an option of a known layer this code does not
 * honour (dilation, channels-first, ...), fails the load with a message naming it, rather than computing something
 * else. Weight bytes are checked against the size and SHA-256 recorded next to them. A batch normalization that
 * directly follows a convolution is folded into it, and a ReLU after that into its output loop; the result is
 * compiled once into a {@link ForwardPlan} on the JVM's {@link Kernels}.
 */
public final class KerasModel {

    static final Set<String> SUPPORTED = Set.of("InputLayer", "ZeroPadding2D", "Conv2D", "DepthwiseConv2D",
            "BatchNormalization", "ReLU", "Add", "AveragePooling2D", "Flatten", "Dense", "Dropout");

    /** One layer as the topology lists it: its name, what it computes, and the names of the maps it reads. */
    record Step(String name, Layer layer, List<String> inputs) { }

    private final String name;
    private final String version;
    private final int inputHeight;
    private final int inputWidth;
    private final ForwardPlan plan;

    private KerasModel(String name, String version, int inputHeight, int inputWidth, ForwardPlan plan) {
        this.name = name;
        this.version = version;
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.plan = plan;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public int inputHeight() {
        return inputHeight;
    }

    public int inputWidth() {
        return inputWidth;
    }

    /** Loads {@code model.json} and {@code weights.bin} from a classpath folder such as {@code /models/nsfwjs/mobilenet_v2}. */
    public static KerasModel fromClasspath(String folder) {
        return fromClasspath(folder, Kernels.selected());
    }

    static KerasModel fromClasspath(String folder, Kernels kernels) {
        try (InputStream json = KerasModel.class.getResourceAsStream(folder + "/model.json");
             InputStream weights = KerasModel.class.getResourceAsStream(folder + "/weights.bin")) {
            if (json == null || weights == null) {
                throw new ModelFormatException("model files not found on the classpath under " + folder
                        + " (model.json and weights.bin; built by the models/nsfwjs module)");
            }
            return load(json.readAllBytes(), weights.readAllBytes(), kernels);
        } catch (IOException e) {
            throw new ModelFormatException("model files under " + folder + " could not be read", e);
        }
    }

    public static KerasModel load(byte[] modelJson, byte[] weightBytes) {
        return load(modelJson, weightBytes, Kernels.selected());
    }

    /** The same on the given kernels (tests compare the scalar and vector paths in one JVM). */
    static KerasModel load(byte[] modelJson, byte[] weightBytes, Kernels kernels) {
        JsonNode doc;
        try {
            doc = Json.mapper().readTree(modelJson);
        } catch (IOException e) {
            throw new ModelFormatException("model.json is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, float[]> weights = checkedWeights(doc, weightBytes);
        JsonNode config = doc.path("modelTopology").path("model_config").path("config");
        JsonNode layers = config.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw new ModelFormatException("model.json has no layers");
        }
        List<Step> steps = new ArrayList<>();
        int inputHeight = 0;
        int inputWidth = 0;
        String inputName = null;
        for (JsonNode layer : layers) {
            String type = layer.path("class_name").asText();
            String layerName = layer.path("name").asText();
            JsonNode c = layer.path("config");
            if (!SUPPORTED.contains(type)) {
                throw new ModelFormatException("layer '" + layerName + "' is a " + type
                        + ", which the embedded engine does not implement (it implements " + SUPPORTED + ")");
            }
            List<String> inputs = new ArrayList<>();
            for (JsonNode inbound : layer.path("inbound_nodes").path(0)) {
                inputs.add(inbound.path(0).asText());
            }
            if (type.equals("InputLayer")) {
                inputName = layerName;
                JsonNode shape = c.path("batch_input_shape");
                inputHeight = shape.path(1).asInt();
                inputWidth = shape.path(2).asInt();
                if (shape.path(3).asInt() != 3) {
                    throw new ModelFormatException("input layer must take 3 channels, takes " + shape);
                }
                continue;
            }
            requireChannelsLast(layerName, c);
            steps.add(new Step(layerName, build(type, layerName, c, weights), inputs));
        }
        if (inputName == null) {
            throw new ModelFormatException("model.json has no InputLayer");
        }
        String output = config.path("output_layers").path(0).path(0).asText();
        ForwardPlan plan = ForwardPlan.compile(kernels, fuse(steps), inputName, output, inputHeight, inputWidth);
        return new KerasModel(doc.path("name").asText("keras-model"), doc.path("version").asText(""), inputHeight,
                inputWidth, plan);
    }

    /**
     * Runs the model on one input of {@code inputHeight x inputWidth x 3} and returns the output layer's values,
     * using as many threads as the JVM has processors (up to {@value ForwardPlan#MAX_THREADS}).
     */
    public float[] predict(FeatureMap input) {
        return predict(input, Runtime.getRuntime().availableProcessors());
    }

    /** The same with at most {@code threads} threads (1: all on the caller's thread). */
    public float[] predict(FeatureMap input, int threads) {
        return plan.run(checked(input), threads, null);
    }

    /** The same on an input already laid out as {@code inputHeight x inputWidth x 3} floats, channels last. */
    public float[] predict(float[] input, int threads) {
        return plan.run(input, threads, null);
    }

    /**
     * Runs the model once on one thread and returns the time of every layer, in order (a fused layer's time is
     * that of the layer it was folded into): what the benchmarks break down. The clock is read only here.
     */
    List<LayerTime> profile(FeatureMap input) {
        List<LayerTime> times = new ArrayList<>();
        plan.run(checked(input), 1, times);
        return times;
    }

    /** {@code vector} or {@code scalar}, and the vector width: which kernels this model runs on. */
    public String kernels() {
        return plan.kernels().path() + (plan.kernels().path().equals("vector") ? "-" + plan.kernels().bits() : "");
    }

    private float[] checked(FeatureMap input) {
        if (input.height() != inputHeight || input.width() != inputWidth || input.channels() != 3) {
            throw new IllegalArgumentException("input must be " + inputHeight + "x" + inputWidth + "x3, was "
                    + input.shape());
        }
        return input.data();
    }

    private static Layer build(String type, String layerName, JsonNode c, Map<String, float[]> weights) {
        return switch (type) {
            case "ZeroPadding2D" -> {
                JsonNode p = c.path("padding");
                yield new Layers.ZeroPadding2D(p.path(0).path(0).asInt(), p.path(0).path(1).asInt(),
                        p.path(1).path(0).asInt(), p.path(1).path(1).asInt());
            }
            case "Conv2D" -> {
                requireUnitDilation(layerName, c);
                Layers.Conv2D conv = new Layers.Conv2D(c.path("kernel_size").path(0).asInt(),
                        c.path("kernel_size").path(1).asInt(), c.path("strides").path(0).asInt(),
                        c.path("strides").path(1).asInt(), c.path("padding").asText(), c.path("filters").asInt());
                conv.kernel = weight(weights, layerName + "/kernel");
                conv.epilogue.bias = c.path("use_bias").asBoolean() ? weight(weights, layerName + "/bias") : null;
                requireLinear(layerName, c);
                yield conv;
            }
            case "DepthwiseConv2D" -> {
                requireUnitDilation(layerName, c);
                if (c.path("depth_multiplier").asInt(1) != 1) {
                    throw new ModelFormatException("layer '" + layerName + "': depth_multiplier other than 1");
                }
                Layers.DepthwiseConv2D conv = new Layers.DepthwiseConv2D(c.path("kernel_size").path(0).asInt(),
                        c.path("kernel_size").path(1).asInt(), c.path("strides").path(0).asInt(),
                        c.path("strides").path(1).asInt(), c.path("padding").asText());
                conv.kernel = weight(weights, layerName + "/depthwise_kernel");
                conv.epilogue.bias = c.path("use_bias").asBoolean() ? weight(weights, layerName + "/bias") : null;
                requireLinear(layerName, c);
                yield conv;
            }
            case "BatchNormalization" -> {
                if (c.path("axis").asInt(-1) != -1 && c.path("axis").asInt() != 3) {
                    throw new ModelFormatException("layer '" + layerName + "': normalization over axis "
                            + c.path("axis"));
                }
                yield new Layers.BatchNormalization(
                        c.path("scale").asBoolean(true) ? weight(weights, layerName + "/gamma") : null,
                        c.path("center").asBoolean(true) ? weight(weights, layerName + "/beta") : null,
                        weight(weights, layerName + "/moving_mean"), weight(weights, layerName + "/moving_variance"),
                        c.path("epsilon").asDouble(1e-3));
            }
            case "ReLU" -> {
                if (c.path("negative_slope").asDouble(0) != 0 || c.path("threshold").asDouble(0) != 0) {
                    throw new ModelFormatException("layer '" + layerName + "': leaky or thresholded ReLU");
                }
                yield new Layers.ReLU(c.hasNonNull("max_value") ? (float) c.path("max_value").asDouble()
                        : Float.POSITIVE_INFINITY);
            }
            case "Add" -> new Layers.Add();
            case "AveragePooling2D" -> {
                if (!c.path("padding").asText().equals("valid")) {
                    throw new ModelFormatException("layer '" + layerName + "': pooling padding "
                            + c.path("padding"));
                }
                yield new Layers.AveragePooling2D(c.path("pool_size").path(0).asInt(),
                        c.path("pool_size").path(1).asInt(), c.path("strides").path(0).asInt(),
                        c.path("strides").path(1).asInt());
            }
            case "Flatten" -> new Layers.Flatten();
            case "Dropout" -> new Layers.Identity();
            case "Dense" -> new Layers.Dense(weight(weights, layerName + "/kernel"),
                    c.path("use_bias").asBoolean(true) ? weight(weights, layerName + "/bias") : null,
                    c.path("units").asInt(), activation(layerName, c.path("activation").asText("linear")));
            default -> throw new ModelFormatException("layer type " + type + " is not implemented");
        };
    }

    /** Folds Conv → BatchNormalization (→ ReLU) chains whose intermediate values have no other reader. */
    private static List<Step> fuse(List<Step> steps) {
        Map<String, Integer> readers = new HashMap<>();
        for (Step step : steps) {
            for (String in : step.inputs()) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        List<Step> fused = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            Layers.Epilogue epilogue = epilogueOf(step.layer());
            if (epilogue == null || i + 1 >= steps.size()
                    || !(steps.get(i + 1).layer() instanceof Layers.BatchNormalization bn)
                    || !steps.get(i + 1).inputs().equals(List.of(step.name()))
                    || readers.getOrDefault(step.name(), 0) != 1) {
                fused.add(step);
                continue;
            }
            foldBatchNorm(step.layer(), epilogue, bn);
            String name = steps.get(i + 1).name();
            i++;
            if (i + 1 < steps.size() && steps.get(i + 1).layer() instanceof Layers.ReLU relu
                    && steps.get(i + 1).inputs().equals(List.of(name)) && readers.getOrDefault(name, 0) == 1) {
                epilogue.reluMax = relu.max();
                name = steps.get(i + 1).name();
                i++;
            }
            fused.add(new Step(name, step.layer(), step.inputs()));
        }
        return fused;
    }

    private static Layers.Epilogue epilogueOf(Layer layer) {
        if (layer instanceof Layers.Conv2D conv) {
            return conv.epilogue;
        }
        if (layer instanceof Layers.DepthwiseConv2D conv) {
            return conv.epilogue;
        }
        return null;
    }

    private static void foldBatchNorm(Layer layer, Layers.Epilogue epilogue, Layers.BatchNormalization bn) {
        float[] kernel = layer instanceof Layers.Conv2D conv ? conv.kernel : ((Layers.DepthwiseConv2D) layer).kernel;
        int channels = bn.scale.length;
        if (kernel.length % channels != 0) {
            throw new ModelFormatException("batch normalization of " + channels + " channels after a kernel of "
                    + kernel.length + " values");
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] *= bn.scale[i % channels];
        }
        float[] bias = new float[channels];
        for (int ch = 0; ch < channels; ch++) {
            float before = epilogue.bias == null ? 0f : epilogue.bias[ch];
            bias[ch] = before * bn.scale[ch] + bn.shift[ch];
        }
        epilogue.bias = bias;
    }

    private static Layers.Activation activation(String layerName, String name) {
        return switch (name) {
            case "linear" -> Layers.Activation.LINEAR;
            case "relu" -> Layers.Activation.RELU;
            case "softmax" -> Layers.Activation.SOFTMAX;
            default -> throw new ModelFormatException("layer '" + layerName + "': activation '" + name
                    + "' is not implemented");
        };
    }

    private static void requireLinear(String layerName, JsonNode c) {
        if (!c.path("activation").asText("linear").equals("linear")) {
            throw new ModelFormatException("layer '" + layerName + "': fused activation "
                    + c.path("activation") + " is not implemented");
        }
    }

    private static void requireUnitDilation(String layerName, JsonNode c) {
        JsonNode d = c.path("dilation_rate");
        if (!d.isMissingNode() && (d.path(0).asInt(1) != 1 || d.path(1).asInt(1) != 1)) {
            throw new ModelFormatException("layer '" + layerName + "': dilated convolution is not implemented");
        }
    }

    private static void requireChannelsLast(String layerName, JsonNode c) {
        if (c.has("data_format") && !c.path("data_format").asText().equals("channels_last")) {
            throw new ModelFormatException("layer '" + layerName + "': data_format " + c.path("data_format"));
        }
    }

    private static float[] weight(Map<String, float[]> weights, String name) {
        float[] values = weights.get(name);
        if (values == null) {
            throw new ModelFormatException("weight '" + name + "' is missing from the weights manifest");
        }
        return values;
    }

    /**
     * Every weight of a model by its manifest name, decoded to float32 after the same checks as {@link #load}: for
     * tools that run the same weights elsewhere (the benchmarks build a TensorFlow graph from them).
     */
    public static Map<String, float[]> readWeights(byte[] modelJson, byte[] weightBytes) {
        try {
            return checkedWeights(Json.mapper().readTree(modelJson), weightBytes);
        } catch (IOException e) {
            throw new ModelFormatException("model.json is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, float[]> checkedWeights(JsonNode doc, byte[] weightBytes) {
        checkWeights(doc, weightBytes);
        return decodeWeights(doc.path("weightsManifest"), weightBytes);
    }

    private static void checkWeights(JsonNode doc, byte[] bytes) {
        long expected = doc.path("weightsBytes").asLong(-1);
        if (expected >= 0 && bytes.length != expected) {
            throw new ModelFormatException("weights.bin has " + bytes.length + " bytes, the model expects "
                    + expected + ": the file is truncated or from another model");
        }
        String sha = doc.path("weightsSha256").asText("");
        if (!sha.isEmpty()) {
            try {
                String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
                if (!actual.equals(sha)) {
                    throw new ModelFormatException("weights.bin is corrupted: SHA-256 " + actual + ", expected "
                            + sha);
                }
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads each weight in manifest order; uint8/uint16 quantized values are restored as min + scale * q. */
    private static Map<String, float[]> decodeWeights(JsonNode manifest, byte[] bytes) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode group : manifest) {
            for (JsonNode spec : group.path("weights")) {
                String weightName = spec.path("name").asText();
                int count = 1;
                for (JsonNode dim : spec.path("shape")) {
                    count = Math.multiplyExact(count, dim.asInt());
                }
                JsonNode q = spec.path("quantization");
                String stored = q.isMissingNode() ? spec.path("dtype").asText("float32") : q.path("dtype").asText();
                int width = switch (stored) {
                    case "uint8" -> 1;
                    case "uint16" -> 2;
                    case "float32" -> 4;
                    default -> throw new ModelFormatException("weight '" + weightName + "' is stored as " + stored
                            + ", which is not implemented");
                };
                if (buffer.remaining() < (long) count * width) {
                    throw new ModelFormatException("weights.bin ends inside weight '" + weightName + "'");
                }
                float[] values = new float[count];
                double min = q.path("min").asDouble();
                double scale = q.path("scale").asDouble();
                for (int i = 0; i < count; i++) {
                    values[i] = switch (width) {
                        case 1 -> (float) ((buffer.get() & 0xFF) * scale + min);
                        case 2 -> (float) ((buffer.getShort() & 0xFFFF) * scale + min);
                        default -> buffer.getFloat();
                    };
                }
                weights.put(weightName, values);
            }
        }
        if (buffer.hasRemaining()) {
            throw new ModelFormatException("weights.bin has " + buffer.remaining()
                    + " bytes the manifest does not describe");
        }
        return weights;
    }
}
