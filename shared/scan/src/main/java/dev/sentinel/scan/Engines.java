package dev.sentinel.scan;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ConfigurationException;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.CascadeEngine;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.RekognitionEngine;
import dev.sentinel.engine.embedded.EmbeddedEngine;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.RekognitionImages;
import dev.sentinel.policy.Policy;
import software.amazon.awssdk.services.rekognition.RekognitionClient;

/** The moderation engines a deployment can name ({@code MODERATION_ENGINE}), built for a policy. */
public final class Engines {

    private Engines() {
    }

    /** The engine the settings name; the embedded model is loaded here, once per container. */
    public static ModerationEngine named(ScanSettings settings, AwsClients clients, Policy policy) {
        // The embedded engine alone calls no Rekognition: its client is then never built.
        return named(settings.engine(), settings.cascadeEscalateAt(),
                settings.engine().equals("embedded") ? null : clients.rekognition(), policy, true);
    }

    public static ModerationEngine named(String name, double cascadeEscalateAt, RekognitionClient rekognition,
                                         Policy policy, boolean sendS3References) {
        return switch (name) {
            case "rekognition" -> rekognition(rekognition, policy, sendS3References);
            case "embedded" -> EmbeddedEngine.bundled();
            case "cascade" -> new CascadeEngine(EmbeddedEngine.bundled(),
                    rekognition(rekognition, policy, sendS3References), cascadeEscalateAt);
            default -> throw new ConfigurationException("MODERATION_ENGINE " + name
                    + " is unknown; use rekognition, embedded or cascade");
        };
    }

    /** Rekognition asked for every label the policy could act on, with images fitted to its limits. */
    public static RekognitionEngine rekognition(RekognitionClient rekognition, Policy policy,
                                                boolean sendS3References) {
        return new RekognitionEngine(rekognition, new RekognitionImages(new ImageDecoder()), policy.lowestThreshold(),
                sendS3References);
    }
}
