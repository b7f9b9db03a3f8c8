package dev.sentinel.engine;

import dev.sentinel.image.UnreadableImageException;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.rekognition.model.Attribute;
import software.amazon.awssdk.services.rekognition.model.Image;
import software.amazon.awssdk.services.rekognition.model.ImageTooLargeException;
import software.amazon.awssdk.services.rekognition.model.InvalidImageFormatException;
import software.amazon.awssdk.services.rekognition.model.InvalidParameterException;
import software.amazon.awssdk.services.rekognition.model.InvalidS3ObjectException;
import software.amazon.awssdk.services.rekognition.model.RekognitionException;

/** Rekognition DetectFaces, asking only for age ranges; the image is sent the way the moderation call sent it. */
public final class RekognitionFaceAges implements FaceAges {

    private final RekognitionClient rekognition;
    private final RekognitionEngine images;

    public RekognitionFaceAges(RekognitionClient rekognition, RekognitionEngine images) {
        this.rekognition = rekognition;
        this.images = images;
    }

    @Override
    public List<FaceAge> detect(ImageInput image) {
        try {
            Image request = images.toRequestImage(image);
            return rekognition.detectFaces(b -> b.image(request).attributes(Attribute.AGE_RANGE)).faceDetails()
                    .stream()
                    .filter(face -> face.ageRange() != null)
                    .map(face -> new FaceAge(face.ageRange().low(), face.ageRange().high(),
                            face.confidence() == null ? 0 : face.confidence()))
                    .toList();
        } catch (UnreadableImageException | InvalidImageFormatException | ImageTooLargeException
                 | InvalidS3ObjectException | InvalidParameterException e) {
            throw new EngineException(EngineException.Kind.IMAGE_REJECTED, "DetectFaces refused the image", e);
        } catch (RekognitionException | SdkClientException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "DetectFaces failed: " + e.getMessage(), e);
        }
    }
}
