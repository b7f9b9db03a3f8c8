package dev.sentinel.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rekognition's face collections, kept in memory by the stand-in: CreateCollection, DescribeCollection,
 * DeleteCollection, ListCollections, IndexFaces, SearchFacesByImage, ListFaces and DeleteFaces, answered as the
 * Rekognition API reference describes them, over the faces {@link MarkedFaces} finds in the pixels.
 *
 * <ul>
 *   <li>IndexFaces indexes at most {@code MaxFaces} faces, largest first; the rest are UnindexedFaces with reason
 *       EXCEEDS_MAX_FACES. With {@code QualityFilter} other than NONE (the default is AUTO) a face with a quality
 *       problem is not indexed either and carries that reason. An image without faces indexes nothing; it is not an
 *       error.</li>
 *   <li>SearchFacesByImage searches with the largest face of the image only; an image with no face is an
 *       InvalidParameterException. Matches at or above {@code FaceMatchThreshold} (default 80), best first, at most
 *       {@code MaxFaces}.</li>
 *   <li>A collection that does not exist is a ResourceNotFoundException; creating one twice a
 *       ResourceAlreadyExistsException.</li>
 * </ul>
 */
final class FaceCollections {

    static final Set<String> OPERATIONS = Set.of("CreateCollection", "DescribeCollection", "DeleteCollection",
            "ListCollections", "IndexFaces", "SearchFacesByImage", "ListFaces", "DeleteFaces");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_VERSION = "7.0";

    private record StoredFace(String faceId, String imageId, String externalImageId, MarkedFaces.Face face) { }

    private record Collection(String arn, long createdMillis, Map<String, StoredFace> faces) { }

    private final Map<String, Collection> collections = new ConcurrentHashMap<>();

    RekognitionStandIn.Reply answer(RekognitionStandIn.Request request) {
        JsonNode body = request.body();
        if (request.operation().equals("ListCollections")) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode ids = out.putArray("CollectionIds");
            ArrayNode versions = out.putArray("FaceModelVersions");
            collections.keySet().stream().sorted().forEach(id -> {
                ids.add(id);
                versions.add(MODEL_VERSION);
            });
            return ok(out);
        }
        String id = body.path("CollectionId").asText("");
        if (!id.matches("[a-zA-Z0-9_.\\-]{1,255}")) {
            return RekognitionStandIn.error(400, "InvalidParameterException", "Request has invalid parameters");
        }
        if (request.operation().equals("CreateCollection")) {
            String arn = "aws:rekognition:us-east-1:000000000000:collection/" + id;
            if (collections.putIfAbsent(id, new Collection(arn, System.currentTimeMillis(),
                    new LinkedHashMap<>())) != null) {
                return RekognitionStandIn.error(400, "ResourceAlreadyExistsException",
                        "The collection id: " + id + " already exists");
            }
            return ok(JSON.createObjectNode().put("StatusCode", 200).put("CollectionArn", arn)
                    .put("FaceModelVersion", MODEL_VERSION));
        }
        Collection collection = collections.get(id);
        if (collection == null) {
            return RekognitionStandIn.error(400, "ResourceNotFoundException",
                    "The collection id: " + id + " does not exist");
        }
        synchronized (collection) {
            return switch (request.operation()) {
                case "DescribeCollection" -> ok(JSON.createObjectNode().put("FaceCount", collection.faces().size())
                        .put("FaceModelVersion", MODEL_VERSION).put("CollectionARN", collection.arn())
                        .put("CreationTimestamp", collection.createdMillis() / 1000.0).put("UserCount", 0));
                case "DeleteCollection" -> {
                    collections.remove(id);
                    yield ok(JSON.createObjectNode().put("StatusCode", 200));
                }
                case "IndexFaces" -> index(collection, request);
                case "SearchFacesByImage" -> search(collection, request);
                case "ListFaces" -> list(collection);
                case "DeleteFaces" -> delete(collection, body);
                default -> throw new IllegalArgumentException(request.operation());
            };
        }
    }

    private RekognitionStandIn.Reply index(Collection collection, RekognitionStandIn.Request request) {
        JsonNode body = request.body();
        if (request.imageBytes() == null) {
            return RekognitionStandIn.error(400, "InvalidImageFormatException", "Request has invalid image format");
        }
        int maxFaces = body.path("MaxFaces").asInt(Integer.MAX_VALUE);
        String filter = body.path("QualityFilter").asText("AUTO");
        String imageId = UUID.nameUUIDFromBytes(request.imageBytes()).toString();
        ObjectNode out = JSON.createObjectNode();
        ArrayNode records = out.putArray("FaceRecords");
        out.put("FaceModelVersion", MODEL_VERSION);
        ArrayNode unindexed = out.putArray("UnindexedFaces");
        int indexed = 0;
        for (MarkedFaces.Face face : MarkedFaces.find(request.imageBytes())) {
            List<String> reasons = new ArrayList<>();
            if (indexed >= maxFaces) {
                reasons.add("EXCEEDS_MAX_FACES");
            }
            if (!filter.equals("NONE")) {
                reasons.addAll(face.problems());
            }
            if (!reasons.isEmpty()) {
                ObjectNode entry = unindexed.addObject();
                ArrayNode why = entry.putArray("Reasons");
                reasons.forEach(why::add);
                detail(entry.putObject("FaceDetail"), face);
                continue;
            }
            indexed++;
            StoredFace stored = new StoredFace(UUID.randomUUID().toString(), imageId,
                    body.hasNonNull("ExternalImageId") ? body.get("ExternalImageId").asText() : null, face);
            collection.faces().put(stored.faceId(), stored);
            ObjectNode record = records.addObject();
            describe(record.putObject("Face"), stored);
            detail(record.putObject("FaceDetail"), face);
        }
        return ok(out);
    }

    private RekognitionStandIn.Reply search(Collection collection, RekognitionStandIn.Request request) {
        JsonNode body = request.body();
        if (request.imageBytes() == null) {
            return RekognitionStandIn.error(400, "InvalidImageFormatException", "Request has invalid image format");
        }
        List<MarkedFaces.Face> faces = MarkedFaces.find(request.imageBytes());
        if (faces.isEmpty()) {
            return RekognitionStandIn.error(400, "InvalidParameterException",
                    "There are no faces in the image. Should be at least 1.");
        }
        MarkedFaces.Face largest = faces.get(0);
        double threshold = body.path("FaceMatchThreshold").asDouble(80);
        int maxFaces = body.path("MaxFaces").asInt(4096);
        ObjectNode out = JSON.createObjectNode();
        box(out.putObject("SearchedFaceBoundingBox"), largest);
        out.put("SearchedFaceConfidence", 99.9);
        ArrayNode matches = out.putArray("FaceMatches");
        collection.faces().values().stream()
                .map(stored -> Map.entry(stored, largest.similarityTo(stored.face().signature())))
                .filter(e -> e.getValue() >= threshold)
                .sorted(Map.Entry.<StoredFace, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(maxFaces)
                .forEach(e -> {
                    ObjectNode match = matches.addObject();
                    match.put("Similarity", e.getValue());
                    describe(match.putObject("Face"), e.getKey());
                });
        out.put("FaceModelVersion", MODEL_VERSION);
        return ok(out);
    }

    private RekognitionStandIn.Reply list(Collection collection) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode faces = out.putArray("Faces");
        collection.faces().values().forEach(stored -> describe(faces.addObject(), stored));
        out.put("FaceModelVersion", MODEL_VERSION);
        return ok(out);
    }

    private RekognitionStandIn.Reply delete(Collection collection, JsonNode body) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode deleted = out.putArray("DeletedFaces");
        ArrayNode failed = out.putArray("UnsuccessfulFaceDeletions");
        for (JsonNode id : body.path("FaceIds")) {
            if (collection.faces().remove(id.asText()) != null) {
                deleted.add(id.asText());
            } else {
                failed.addObject().put("FaceId", id.asText()).putArray("Reasons").add("FACE_NOT_FOUND");
            }
        }
        return ok(out);
    }

    /** Faces currently indexed in a collection (none when it does not exist), for tests to check erasure. */
    int faceCount(String collectionId) {
        Collection collection = collections.get(collectionId);
        return collection == null ? 0 : collection.faces().size();
    }

    private static void describe(ObjectNode node, StoredFace stored) {
        node.put("FaceId", stored.faceId());
        box(node.putObject("BoundingBox"), stored.face());
        node.put("ImageId", stored.imageId());
        if (stored.externalImageId() != null) {
            node.put("ExternalImageId", stored.externalImageId());
        }
        node.put("Confidence", 99.9);
        node.put("IndexFacesModelVersion", MODEL_VERSION);
    }

    private static void detail(ObjectNode node, MarkedFaces.Face face) {
        box(node.putObject("BoundingBox"), face);
        node.put("Confidence", 99.9);
    }

    private static void box(ObjectNode node, MarkedFaces.Face face) {
        node.put("Width", face.widthRatio()).put("Height", face.heightRatio()).put("Left", face.left())
                .put("Top", face.top());
    }

    private static RekognitionStandIn.Reply ok(ObjectNode body) {
        return new RekognitionStandIn.Reply(200, body.toString(), 0);
    }
}
