package dev.sentinel.likeness;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.rekognition.model.DeleteFacesResponse;
import software.amazon.awssdk.services.rekognition.model.Image;
import software.amazon.awssdk.services.rekognition.model.ImageTooLargeException;
import software.amazon.awssdk.services.rekognition.model.IndexFacesResponse;
import software.amazon.awssdk.services.rekognition.model.InvalidImageFormatException;
import software.amazon.awssdk.services.rekognition.model.InvalidParameterException;
import software.amazon.awssdk.services.rekognition.model.QualityFilter;
import software.amazon.awssdk.services.rekognition.model.RekognitionException;
import software.amazon.awssdk.services.rekognition.model.UnsuccessfulFaceDeletionReason;

/**
 * A Rekognition face collection. Photos and crops are always sent as bytes: reference photos must never be stored,
 * so they are never put in S3 for Rekognition to read.
 */
public final class RekognitionFaceCollection implements FaceCollection {

    /** Refusal of a photo Rekognition cannot read (format, size, dimensions). */
    public static final String UNREADABLE = "UNREADABLE_IMAGE";
    /** Matches asked for per search: one person may have up to five reference faces, and two people could match. */
    private static final int MAX_MATCHES = 20;

    private final RekognitionClient rekognition;
    private final String collectionId;

    public RekognitionFaceCollection(RekognitionClient rekognition, String collectionId) {
        this.rekognition = rekognition;
        this.collectionId = collectionId;
    }

    @Override
    public Indexed index(byte[] photo, String registrationId) {
        IndexFacesResponse response;
        try {
            // One face a photo, the largest, and only when Rekognition judges it clear enough to recognise.
            response = rekognition.indexFaces(b -> b.collectionId(collectionId).image(bytes(photo))
                    .externalImageId(registrationId).maxFaces(1).qualityFilter(QualityFilter.HIGH));
        } catch (InvalidImageFormatException | ImageTooLargeException | InvalidParameterException e) {
            return new Indexed(List.of(), List.of(UNREADABLE));
        } catch (RekognitionException | SdkClientException e) {
            throw new LikenessUnavailableException("IndexFaces failed: " + errorCode(e), e);
        }
        List<String> faceIds = response.faceRecords().stream().map(r -> r.face().faceId()).toList();
        List<String> refusals = new ArrayList<>();
        response.unindexedFaces().forEach(u -> u.reasonsAsStrings().forEach(reason -> {
            if (!refusals.contains(reason)) {
                refusals.add(reason);
            }
        }));
        return new Indexed(faceIds, refusals);
    }

    @Override
    public List<Match> search(byte[] faceImage, double threshold) {
        try {
            return rekognition.searchFacesByImage(b -> b.collectionId(collectionId).image(bytes(faceImage))
                            .faceMatchThreshold((float) threshold).maxFaces(MAX_MATCHES))
                    .faceMatches().stream()
                    .map(m -> new Match(m.face().externalImageId(), m.face().faceId(), m.similarity()))
                    .toList();
        } catch (InvalidParameterException noFace) {
            // Rekognition finds no face in the crop at all: nothing there to match.
            return List.of();
        } catch (RekognitionException | SdkClientException e) {
            throw new LikenessUnavailableException("SearchFacesByImage failed: " + errorCode(e), e);
        }
    }

    @Override
    public void delete(List<String> faceIds) {
        if (faceIds.isEmpty()) {
            return;
        }
        DeleteFacesResponse response;
        try {
            response = rekognition.deleteFaces(b -> b.collectionId(collectionId).faceIds(faceIds));
        } catch (RekognitionException | SdkClientException e) {
            throw new LikenessUnavailableException("DeleteFaces failed: " + errorCode(e), e);
        }
        boolean failed = response.unsuccessfulFaceDeletions().stream().anyMatch(u -> u.reasons().stream()
                .anyMatch(r -> r != UnsuccessfulFaceDeletionReason.FACE_NOT_FOUND));
        if (failed) {
            throw new LikenessUnavailableException("DeleteFaces left faces in the collection", null);
        }
    }

    private static Image bytes(byte[] image) {
        return Image.builder().bytes(SdkBytes.fromByteArray(image)).build();
    }

    /** The service's error code only: its message could quote request details. */
    private static String errorCode(RuntimeException e) {
        return e instanceof RekognitionException r && r.awsErrorDetails() != null
                ? r.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
    }
}
