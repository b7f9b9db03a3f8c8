package dev.sentinel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.engine.embedded.KerasModel;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The nsfwjs mobilenet_v2 model as a TensorFlow graph, built here layer by layer from the project's
 * {@code model.json} and {@code weights.bin} (decoded by {@link KerasModel#readWeights}, so both runtimes get the
 * very same float32 weights): each Keras layer becomes the TensorFlow op Keras itself would run (Conv2D,
 * DepthwiseConv2dNative, FusedBatchNorm in inference mode, Relu6, Pad, AvgPool, MatMul), and TensorFlow's graph
 * optimiser fuses and folds what it can, as it does for any user. Whether the convolutions run on Eigen or oneDNN
 * is decided by {@code TF_ENABLE_ONEDNN_OPTS}, which TensorFlow reads once, when its library loads.
 *
 * <p>One session per thread count, each with its own intra-op pool of that size and one inter-op thread.
 */
final class TensorFlowBaseline implements Baseline {

    private final Graph graph = new Graph();
    private final Map<Integer, Session> sessions = new HashMap<>();
    private final Placeholder<TFloat32> input;
    private final Operand<TFloat32> output;
    private final Shape inputShape;

    TensorFlowBaseline(byte[] modelJson, byte[] weightBytes) throws IOException {
        Map<String, float[]> weights = KerasModel.readWeights(modelJson, weightBytes);
        JsonNode doc = Json.mapper().readTree(modelJson);
        Map<String, long[]> shapes = new HashMap<>();
        for (JsonNode group : doc.path("weightsManifest")) {
            for (JsonNode spec : group.path("weights")) {
                long[] dims = new long[spec.path("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = spec.path("shape").path(i).asLong();
                }
                shapes.put(spec.path("name").asText(), dims);
            }
        }
        Ops tf = Ops.create(graph);
        Map<String, Operand<TFloat32>> values = new HashMap<>();
        Placeholder<TFloat32> placeholder = null;
        Shape shape = null;
        JsonNode config = doc.path("modelTopology").path("model_config").path("config");
        for (JsonNode layer : config.path("layers")) {
            String name = layer.path("name").asText();
            JsonNode c = layer.path("config");
            List<Operand<TFloat32>> in = new ArrayList<>();
            for (JsonNode inbound : layer.path("inbound_nodes").path(0)) {
                in.add(values.get(inbound.path(0).asText()));
            }
            Weights w = new Weights(tf, weights, shapes, name);
            Operand<TFloat32> value = switch (layer.path("class_name").asText()) {
                case "InputLayer" -> {
                    JsonNode s = c.path("batch_input_shape");
                    shape = Shape.of(1, s.path(1).asLong(), s.path(2).asLong(), s.path(3).asLong());
                    placeholder = tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(shape));
                    yield placeholder;
                }
                case "ZeroPadding2D" -> {
                    JsonNode p = c.path("padding");
                    yield tf.pad(in.get(0), tf.constant(new int[][] {{0, 0},
                            {p.path(0).path(0).asInt(), p.path(0).path(1).asInt()},
                            {p.path(1).path(0).asInt(), p.path(1).path(1).asInt()}, {0, 0}}), tf.constant(0f));
                }
                case "Conv2D" -> bias(tf, c, w, tf.nn.conv2d(in.get(0), w.get("kernel"), strides(c),
                        c.path("padding").asText().toUpperCase()));
                case "DepthwiseConv2D" -> bias(tf, c, w, tf.nn.depthwiseConv2dNative(in.get(0),
                        w.get("depthwise_kernel"), strides(c), c.path("padding").asText().toUpperCase()));
                case "BatchNormalization" -> tf.nn.fusedBatchNorm(in.get(0),
                        c.path("scale").asBoolean(true) ? w.get("gamma") : w.filled("moving_mean", 1f),
                        c.path("center").asBoolean(true) ? w.get("beta") : w.filled("moving_mean", 0f),
                        w.get("moving_mean"), w.get("moving_variance"),
                        FusedBatchNorm.epsilon((float) c.path("epsilon").asDouble(1e-3)),
                        FusedBatchNorm.isTraining(false)).y();
                case "ReLU" -> {
                    if (!c.hasNonNull("max_value")) {
                        yield tf.nn.relu(in.get(0));
                    }
                    double max = c.path("max_value").asDouble();
                    yield max == 6.0 ? tf.nn.relu6(in.get(0))
                            : tf.math.minimum(tf.nn.relu(in.get(0)), tf.constant((float) max));
                }
                case "Add" -> tf.math.add(in.get(0), in.get(1));
                case "AveragePooling2D" -> tf.nn.avgPool(in.get(0), window(c.path("pool_size")),
                        window(c.path("strides")), "VALID");
                case "Flatten" -> tf.reshape(in.get(0), tf.constant(new int[] {1, -1}));
                case "Dropout" -> in.get(0);
                case "Dense" -> {
                    Operand<TFloat32> y = bias(tf, c, w, tf.linalg.matMul(in.get(0), w.get("kernel")));
                    yield switch (c.path("activation").asText("linear")) {
                        case "relu" -> tf.nn.relu(y);
                        case "softmax" -> tf.nn.softmax(y);
                        case "linear" -> y;
                        default -> throw new IllegalArgumentException("activation " + c.path("activation"));
                    };
                }
                default -> throw new IllegalArgumentException("no TensorFlow op for " + layer.path("class_name"));
            };
            values.put(name, value);
        }
        this.input = placeholder;
        this.inputShape = shape;
        this.output = values.get(config.path("output_layers").path(0).path(0).asText());
    }

    /** One layer's weights as graph constants. */
    private record Weights(Ops tf, Map<String, float[]> all, Map<String, long[]> shapes, String layer) {
        Operand<TFloat32> get(String weight) {
            String key = layer + "/" + weight;
            return tf.constant(Shape.of(shapes.get(key)), DataBuffers.of(all.get(key), true, false));
        }

        /** A constant the shape of {@code like}, every value {@code value} (a BatchNormalization without gamma). */
        Operand<TFloat32> filled(String like, float value) {
            float[] values = new float[all.get(layer + "/" + like).length];
            java.util.Arrays.fill(values, value);
            return tf.constant(Shape.of(shapes.get(layer + "/" + like)), DataBuffers.of(values, true, false));
        }
    }

    private static Operand<TFloat32> bias(Ops tf, JsonNode c, Weights w, Operand<TFloat32> x) {
        return c.path("use_bias").asBoolean(false) ? tf.nn.biasAdd(x, w.get("bias")) : x;
    }

    private static List<Long> strides(JsonNode c) {
        return List.of(1L, c.path("strides").path(0).asLong(), c.path("strides").path(1).asLong(), 1L);
    }

    private static List<Long> window(JsonNode pair) {
        return List.of(1L, pair.path(0).asLong(), pair.path(1).asLong(), 1L);
    }

    @Override
    public String describe() {
        boolean oneDnn = "1".equals(System.getenv("TF_ENABLE_ONEDNN_OPTS"));
        return "TensorFlow " + TensorFlow.version() + " (TensorFlow Java), " + (oneDnn ? "oneDNN" : "Eigen");
    }

    @Override
    public float[] classify(float[] pixels, int threads) {
        Session session = sessions.computeIfAbsent(threads, n -> new Session(graph, ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(n).setInterOpParallelismThreads(1).setUsePerSessionThreads(true)
                .build()));
        try (TFloat32 tensor = TFloat32.tensorOf(inputShape, DataBuffers.of(pixels, true, false));
             Result result = session.runner().feed(input, tensor).fetch(output).run()) {
            TFloat32 probabilities = (TFloat32) result.get(0);
            float[] out = new float[(int) probabilities.shape().size()];
            probabilities.copyTo(DataBuffers.of(out, false, false));
            return out;
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(Session::close);
        graph.close();
    }
}
