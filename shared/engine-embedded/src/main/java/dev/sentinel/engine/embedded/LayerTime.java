package dev.sentinel.engine.embedded;

/**
 * Wall time of one step of a forward pass (a layer, with the batch normalization and ReLU folded into it).
 *
 * @param kind what kind of work it is, for grouping: {@code stem}, {@code pointwise}, {@code depthwise},
 *             {@code padding}, {@code add} or {@code head}
 */
public record LayerTime(String layer, String kind, long nanos) {

    static String kindOf(Layers.Layer layer) {
        if (layer instanceof Layers.Conv2D conv) {
            return conv.kh * conv.kw == 1 ? "pointwise" : "stem";
        }
        if (layer instanceof Layers.DepthwiseConv2D) {
            return "depthwise";
        }
        if (layer instanceof Layers.ZeroPadding2D) {
            return "padding";
        }
        if (layer instanceof Layers.Add) {
            return "add";
        }
        return "head";
    }
}
