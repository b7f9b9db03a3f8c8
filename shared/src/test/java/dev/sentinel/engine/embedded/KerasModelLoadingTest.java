package dev.sentinel.engine.embedded;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.json.Json;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KerasModelLoadingTest {

    private static final byte[] MODEL_JSON = read("model.json");
    private static final byte[] WEIGHTS = read("weights.bin");

    @Test
    void truncatedWeightsAreRefusedWithTheReason() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KerasModel.load(MODEL_JSON, Arrays.copyOf(WEIGHTS, WEIGHTS.length - 1000)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptedWeightsAreRefusedWithTheReason() {
        byte[] flipped = WEIGHTS.clone();
        flipped[12_345] ^= 0x5A;

        ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasModel.load(MODEL_JSON, flipped));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void truncatedWeightsWithoutAChecksumStillFailInsideTheNamedWeight() throws Exception {
        ObjectNode json = (ObjectNode) Json.mapper().readTree(MODEL_JSON);
        json.remove("weightsSha256");
        json.remove("weightsBytes");

        ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasModel.load(
                Json.mapper().writeValueAsBytes(json), Arrays.copyOf(WEIGHTS, WEIGHTS.length / 2)));
        assertTrue(e.getMessage().startsWith("weights.bin ends inside weight '"), e.getMessage());
    }

    @Test
    void anUnknownLayerTypeIsNamedNotGuessed() throws Exception {
        String text = new String(MODEL_JSON, java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("\"class_name\":\"ReLU\"", "\"class_name\":\"PReLU\"");

        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KerasModel.load(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), WEIGHTS));
        assertTrue(e.getMessage().contains("is a PReLU, which the embedded engine does not implement"),
                e.getMessage());
    }

    @Test
    void anUnsupportedOptionOfAKnownLayerIsRefused() {
        String text = new String(MODEL_JSON, java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("\"dilation_rate\":\\[1,1\\]", "\"dilation_rate\":[2,2]");

        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KerasModel.load(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), WEIGHTS));
        assertTrue(e.getMessage().contains("dilated convolution"), e.getMessage());
    }

    @Test
    void missingModelFilesSayWhatWasLookedFor() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KerasModel.fromClasspath("/models/nsfwjs/no_such_model"));
        assertTrue(e.getMessage().contains("model files not found"), e.getMessage());
    }

    private static byte[] read(String name) {
        try (InputStream in = KerasModel.class.getResourceAsStream(NsfwClassifier.DEFAULT_MODEL + "/" + name)) {
            return in.readAllBytes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
