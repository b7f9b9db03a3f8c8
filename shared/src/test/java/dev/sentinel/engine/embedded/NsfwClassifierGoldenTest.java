package dev.sentinel.engine.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The Java forward pass against nsfwjs itself: reference probabilities computed by nsfwjs 4.4.0 on tfjs (see
 * models/nsfwjs/oracle/reference.mjs) from the same decoded pixels.
 */
class NsfwClassifierGoldenTest {

    static final NsfwClassifier CLASSIFIER = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);

    @Test
    void everyClassProbabilityMatchesNsfwjsWithinOneInTenThousand() throws Exception {
        JsonNode reference = Json.mapper().readTree(resource("reference-probabilities.json"));
        assertEquals(NsfwClassifier.CLASSES.size(), reference.path("classes").size());
        int compared = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = reference.path("images").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> image = it.next();
            BufferedImage pixels = ImageIO.read(resource(image.getKey()));

            float[] actual = CLASSIFIER.classify(pixels);

            for (int c = 0; c < actual.length; c++) {
                assertEquals(image.getValue().get(c).asDouble(), actual[c], 1e-4,
                        image.getKey() + " " + NsfwClassifier.CLASSES.get(c));
            }
            compared++;
        }
        assertTrue(compared >= 5, "the fixture must cover several photos, had " + compared);
    }

    @Test
    void modelVersionNamesTheWeights() {
        assertEquals("nsfwjs-mobilenet_v2@4.4.0", CLASSIFIER.modelVersion());
    }

    private static InputStream resource(String name) {
        InputStream in = NsfwClassifierGoldenTest.class.getResourceAsStream("/nsfw/" + name);
        if (in == null) {
            throw new IllegalStateException("missing fixture /nsfw/" + name);
        }
        return in;
    }
}
