package dev.sentinel.engine;

import dev.sentinel.image.RekognitionImages;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.objects.ObjectRef;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.rekognition.model.DetectModerationLabelsResponse;
import software.amazon.awssdk.services.rekognition.model.Image;
import software.amazon.awssdk.services.rekognition.model.ImageTooLargeException;
import software.amazon.awssdk.services.rekognition.model.InvalidImageFormatException;
import software.amazon.awssdk.services.rekognition.model.InvalidParameterException;
import software.amazon.awssdk.services.rekognition.model.InvalidS3ObjectException;
import software.amazon.awssdk.services.rekognition.model.RekognitionException;
import software.amazon.awssdk.services.rekognition.model.S3Object;

/**
 * Amazon Rekognition DetectModerationLabels. A JPEG or PNG stored in S3 within the service's limits (15 MB, 80 to
 * 10,000 pixels a side) is passed by reference (bucket, key and version, so Rekognition judges exactly the bytes that
 * were hashed); anything else is converted and downscaled by {@link RekognitionImages} and sent inline within 5 MB.
 *
 * <p>Throttling and server errors are retried with backoff by the client's retry strategy (see {@code AwsClients});
 * client errors are not retried. Errors that mean the image itself is unacceptable become
 * {@link EngineException.Kind#IMAGE_REJECTED}; everything else {@link EngineException.Kind#UNAVAILABLE}.
 */
public final class RekognitionEngine implements ModerationEngine {

    public static final String NAME = "rekognition";

    private final RekognitionClient rekognition;
    private final RekognitionImages images;
    private final float minConfidence;
    private final boolean sendS3References;

    /**
     * @param minConfidence    labels below this confidence are not returned; set it to the policy's lowest threshold
     * @param sendS3References pass S3-stored images by reference; false when Rekognition cannot read that S3 (a
     *                         local S3 server with the real Rekognition service)
     */
    public RekognitionEngine(RekognitionClient rekognition, RekognitionImages images, double minConfidence,
                             boolean sendS3References) {
        this.rekognition = rekognition;
        this.images = images;
        this.minConfidence = (float) minConfidence;
        this.sendS3References = sendS3References;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModerationResult detect(ImageInput image) {
        Image request;
        try {
            request = toRequestImage(image);
        } catch (UnreadableImageException e) {
            throw new EngineException(EngineException.Kind.IMAGE_REJECTED, e.getMessage(), e);
        }
        DetectModerationLabelsResponse response;
        try {
            response = rekognition.detectModerationLabels(b -> b.image(request).minConfidence(minConfidence));
        } catch (InvalidImageFormatException | ImageTooLargeException | InvalidS3ObjectException e) {
            throw new EngineException(EngineException.Kind.IMAGE_REJECTED,
                    "Rekognition refused the image (" + e.awsErrorDetails().errorCode() + ")", e);
        } catch (InvalidParameterException e) {
            // Also what Rekognition answers for images below its minimum dimensions.
            throw new EngineException(EngineException.Kind.IMAGE_REJECTED,
                    "Rekognition refused the image parameters (" + e.awsErrorDetails().errorCode() + ")", e);
        } catch (RekognitionException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "Rekognition failed with HTTP "
                    + e.statusCode() + " " + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode())
                    + " after retries", e);
        } catch (SdkClientException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE,
                    "Rekognition could not be reached: " + e.getMessage(), e);
        }
        List<String> contentTypes = response.hasContentTypes()
                ? response.contentTypes().stream().map(t -> t.name()).toList() : List.of();
        List<ModerationLabel> labels = response.moderationLabels().stream()
                .map(l -> new ModerationLabel(l.name(), l.parentName(),
                        l.taxonomyLevel() == null ? 0 : l.taxonomyLevel(),
                        l.confidence() == null ? 0 : l.confidence(), contentTypes))
                .toList();
        return new ModerationResult(NAME, response.moderationModelVersion(), labels);
    }

    /** The image as a Rekognition request carries it: an S3 reference when allowed, bytes otherwise. */
    public Image toRequestImage(ImageInput image) {
        Optional<ObjectRef> stored = image.storedAt();
        if (sendS3References && stored.isPresent() && images.acceptsAsStored(image.bytes(), image.format())) {
            ObjectRef ref = stored.get();
            return Image.builder().s3Object(S3Object.builder()
                    .bucket(ref.bucket()).name(ref.key()).version(ref.versionId()).build()).build();
        }
        return Image.builder().bytes(SdkBytes.fromByteArray(images.inline(image.bytes(), image.format()))).build();
    }
}
