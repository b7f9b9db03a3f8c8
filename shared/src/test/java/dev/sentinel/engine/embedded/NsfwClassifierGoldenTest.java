package dev.sentinel.engine.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java forward pass against nsfwjs itself: reference probabilities computed by nsfwjs 4.4.0 on tfjs (see
 * models/nsfwjs/oracle/reference.mjs) from the same decoded pixels, on each kernel path this JVM can run: the
 * scalar one always, the vector one when the JVM has the Vector API module (surefire runs this class twice, at
 * the platform's widest vectors and at 128 bits, arm64 NEON's width).
 */
class NsfwClassifierGoldenTest {

    static final NsfwClassifier CLASSIFIER = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);

    private static final Map<String, NsfwClassifier> BY_PATH = new HashMap<>();

    static Stream<String> paths() {
        return Stream.of("scalar", "vector");
    }

    /** One classifier per kernel path, loaded once; null when the JVM cannot run that path. */
    static synchronized NsfwClassifier classifier(String path) {
        return BY_PATH.computeIfAbsent(path, p -> {
            Kernels kernels = p.equals("scalar") ? Kernels.scalar() : Kernels.vector(new HashMap<>());
            return kernels == null ? null
                    : new NsfwClassifier(KerasModel.fromClasspath(NsfwClassifier.DEFAULT_MODEL, kernels));
        });
    }

    @ParameterizedTest
    @MethodSource("paths")
    void everyClassProbabilityMatchesNsfwjsWithinOneInTenThousand(String path) throws Exception {
        NsfwClassifier classifier = classifier(path);
        assumeTrue(classifier != null, "the JVM was started without the Vector API module");
        Map<String, float[]> actual = classifyFixtures(classifier);
        JsonNode reference = reference();
        assertEquals(NsfwClassifier.CLASSES.size(), reference.path("classes").size());
        for (Iterator<Map.Entry<String, JsonNode>> it = reference.path("images").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> image = it.next();
            for (int c = 0; c < NsfwClassifier.CLASSES.size(); c++) {
                assertEquals(image.getValue().get(c).asDouble(), actual.get(image.getKey())[c], 1e-4,
                        path + ": " + image.getKey() + " " + NsfwClassifier.CLASSES.get(c));
            }
        }
        assertTrue(actual.size() >= 5, "the fixture must cover several photos, had " + actual.size());
    }

    @Test
    void theVectorAndScalarPathsAgreeWithinOneInAHundredThousand() throws Exception {
        NsfwClassifier vector = classifier("vector");
        assumeTrue(vector != null, "the JVM was started without the Vector API module");
        Map<String, float[]> fast = classifyFixtures(vector);
        Map<String, float[]> plain = classifyFixtures(classifier("scalar"));
        for (String image : fast.keySet()) {
            for (int c = 0; c < NsfwClassifier.CLASSES.size(); c++) {
                assertEquals(plain.get(image)[c], fast.get(image)[c], 1e-5,
                        image + " " + NsfwClassifier.CLASSES.get(c));
            }
        }
    }

    @Test
    void theVectorPathRunsAtTheWidthAskedFor() {
        Kernels vector = Kernels.vector(new HashMap<>());
        assumeTrue(vector != null, "the JVM was started without the Vector API module");
        Integer asked = Integer.getInteger(Kernels.BITS_PROPERTY);
        if (asked != null) {
            assertEquals(asked.intValue(), vector.bits());
        }
        assertEquals(vector.bits() / Float.SIZE, vector.channelAlign());
        assertEquals("vector-" + vector.bits(), classifier("vector").kernels());
    }

    @Test
    void twoThreadsGiveTheSameProbabilitiesAsOne() throws Exception {
        BufferedImage pixels = ImageIO.read(resource("reg-test-input_labelme-subset_q0003.png"));
        for (String path : List.of("scalar", "vector")) {
            NsfwClassifier classifier = classifier(path);
            if (classifier != null) {
                float[] one = classifier.classify(pixels, 1);
                float[] two = classifier.classify(pixels, 2);
                for (int c = 0; c < one.length; c++) {
                    assertEquals(one[c], two[c], 1e-6, path + " " + NsfwClassifier.CLASSES.get(c));
                }
            }
        }
    }

    @Test
    void modelVersionNamesTheWeights() {
        assertEquals("nsfwjs-mobilenet_v2@4.4.0", CLASSIFIER.modelVersion());
    }

    private static Map<String, float[]> classifyFixtures(NsfwClassifier classifier) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Iterator<String> it = reference().path("images").fieldNames(); it.hasNext(); ) {
            String name = it.next();
            out.put(name, classifier.classify(ImageIO.read(resource(name))));
        }
        return out;
    }

    private static JsonNode reference() {
        try {
            return Json.mapper().readTree(resource("reference-probabilities.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = NsfwClassifierGoldenTest.class.getResourceAsStream("/nsfw/" + name);
        if (in == null) {
            throw new IllegalStateException("missing fixture /nsfw/" + name);
        }
        return in;
    }
}
