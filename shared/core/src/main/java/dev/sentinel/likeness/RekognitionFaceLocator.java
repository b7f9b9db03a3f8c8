package dev.sentinel.likeness;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.RekognitionEngine;
import dev.sentinel.image.UnreadableImageException;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.rekognition.model.ImageTooLargeException;
import software.amazon.awssdk.services.rekognition.model.InvalidImageFormatException;
import software.amazon.awssdk.services.rekognition.model.InvalidParameterException;
import software.amazon.awssdk.services.rekognition.model.InvalidS3ObjectException;
import software.amazon.awssdk.services.rekognition.model.RekognitionException;

/** Rekognition DetectFaces with its default attributes: where the faces are, nothing about them. */
public final class RekognitionFaceLocator implements FaceLocator {

    private final RekognitionClient rekognition;
    private final RekognitionEngine images;

    /** @param images sends the image the way the moderation call sent it (S3 reference or bytes) */
    public RekognitionFaceLocator(RekognitionClient rekognition, RekognitionEngine images) {
        this.rekognition = rekognition;
        this.images = images;
    }

    @Override
    public List<FaceBox> locate(ImageInput image) {
        try {
            var request = images.toRequestImage(image);
            return rekognition.detectFaces(b -> b.image(request)).faceDetails().stream()
                    .filter(face -> face.boundingBox() != null)
                    .map(face -> new FaceBox(value(face.boundingBox().left()), value(face.boundingBox().top()),
                            value(face.boundingBox().width()), value(face.boundingBox().height())))
                    .toList();
        } catch (UnreadableImageException | InvalidImageFormatException | ImageTooLargeException
                 | InvalidS3ObjectException | InvalidParameterException e) {
            throw new EngineException(EngineException.Kind.IMAGE_REJECTED, "DetectFaces refused the image", e);
        } catch (RekognitionException | SdkClientException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "DetectFaces failed", e);
        }
    }

    private static double value(Float f) {
        return f == null ? 0 : f;
    }
}
