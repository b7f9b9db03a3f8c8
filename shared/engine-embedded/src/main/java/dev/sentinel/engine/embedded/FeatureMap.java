package dev.sentinel.engine.embedded;

/** One image's activations, height x width x channels, channels last, in one flat array. */
record FeatureMap(float[] data, int height, int width, int channels) {

    FeatureMap {
        if (data.length != height * width * channels) {
            throw new IllegalArgumentException("feature map of " + height + "x" + width + "x" + channels
                    + " needs " + height * width * channels + " values, has " + data.length);
        }
    }

    String shape() {
        return height + "x" + width + "x" + channels;
    }
}
