package dev.sentinel.engine.embedded;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.engine.ModerationResult;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.UnreadableImageException;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The offline engine: the nsfwjs classifier inside the JVM, its classes reported as Rekognition taxonomy-v7 labels
 * so the same policies apply.
 *
 * <ul>
 *   <li>Porn and Hentai are both sexually explicit content, so together they are {@code Explicit} (L1), with the
 *       sum of their probabilities as confidence (the classes are exclusive, so the sum is the probability that the
 *       image is explicit at all). When Hentai outweighs Porn the label carries the content type
 *       {@code Illustrated}, as Rekognition marks drawn and animated content.</li>
 *   <li>Sexy is nsfwjs's class for suggestive images with partial nudity (lingerie, bare torsos, provocative
 *       poses). It becomes {@code Non-Explicit Nudity} (L2 under Non-Explicit Nudity of Intimate parts and
 *       Kissing), which policies hold for review, rather than Swimwear or Underwear, which they publish: the
 *       classifier cannot tell a beach photo from partial nudity, and when unsure a person should look.</li>
 *   <li>Drawing and Neutral are safe and give no label.</li>
 * </ul>
 * Every label is reported, however low its confidence, so policies and the cascade see the classifier's whole
 * opinion. Confidence is probability x 100.
 */
public final class EmbeddedEngine implements ModerationEngine {

    public static final String NAME = "embedded";

    private final NsfwClassifier classifier;
    private final ImageDecoder decoder;

    public EmbeddedEngine(NsfwClassifier classifier, ImageDecoder decoder) {
        this.classifier = classifier;
        this.decoder = decoder;
    }

    /** The bundled mobilenet_v2 model, loaded once per JVM (container) on first use. */
    public static EmbeddedEngine bundled() {
        return new EmbeddedEngine(BundledModel.CLASSIFIER, new ImageDecoder());
    }

    private static final class BundledModel {
        static final NsfwClassifier CLASSIFIER = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);
    }

    @Override
    public String name() {
        return NAME;
    }

    public NsfwClassifier classifier() {
        return classifier;
    }

    @Override
    public ModerationResult detect(ImageInput image) {
        BufferedImage decoded;
        try {
            // Subsampling starts only above 4096 px, so ordinary images are classified at full resolution.
            decoded = decoder.decode(image.bytes(), 2048);
        } catch (UnreadableImageException e) {
            throw new EngineException(EngineException.Kind.IMAGE_REJECTED, e.getMessage(), e);
        }
        return new ModerationResult(NAME, classifier.modelVersion(), labels(classifier.classify(decoded)));
    }

    static List<ModerationLabel> labels(float[] p) {
        double hentai = p[1];
        double porn = p[3];
        double sexy = p[4];
        double explicit = Math.min(1.0, hentai + porn);
        return List.of(
                new ModerationLabel("Explicit", "", 1, explicit * 100,
                        hentai > porn ? List.of("Illustrated") : List.of()),
                new ModerationLabel("Non-Explicit Nudity", "Non-Explicit Nudity of Intimate parts and Kissing", 2,
                        sexy * 100));
    }
}
