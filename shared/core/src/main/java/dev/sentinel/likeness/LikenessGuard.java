package dev.sentinel.likeness;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.JpegCopies;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scan's likeness check, asked only for images that carry a sexual or nudity label (the gate that asks for face
 * ages). Every face found (up to {@link LikenessSettings#maxFacesSearched}) is cut out and searched in the face
 * collection on its own, because SearchFacesByImage searches with the largest face of an image only.
 *
 * <ul>
 *   <li>A registered person found: QUARANTINE for priority review, reason {@link ReasonCode#LIKENESS_MATCH} (which
 *       names nobody), the match recorded, and the registration's contact channel alerted once per image.</li>
 *   <li>Faces that could not be searched (the collection unavailable, more faces than are searched, an image that
 *       cannot be cut): fail closed, REVIEW for priority review, reason {@link ReasonCode#LIKENESS_NOT_CHECKED}.</li>
 * </ul>
 * Nothing about faces, registrations or similarities is logged; only counts.
 */
public final class LikenessGuard {

    /** The crops are cut this much wider than the face on every side, as Rekognition finds faces with context. */
    private static final double MARGIN = 0.3;
    /** Crops are scaled up to at least this long a short side: Rekognition wants faces of 40 pixels or more. */
    private static final int MIN_CROP_SIDE = 160;
    static final Duration REVIEW_WITHIN = Duration.ofHours(2);
    private static final String GROUND = "Consent and privacy: a person registered their likeness so that sexual "
            + "images of them are not published without review (laws against non-consensual intimate imagery, and "
            + "terms of service).";

    /** What the check adds to a scan's decision. */
    public record Outcome(List<Reason> reasons, Action atLeast, boolean priorityReview) {

        public static final Outcome NOTHING = new Outcome(List.of(), Action.ALLOW, false);
    }

    private final FaceLocator faces;
    private final FaceCollection collection;
    private final LikenessMatches matches;
    private final LikenessAlerts alerts;
    private final LikenessSettings settings;
    private final ImageDecoder decoder;
    private final Clock clock;
    private final StructuredLog log;
    private final Duration budget;

    /**
     * @param budget how long the searches of one image may go on: no search starts after it (the image is then held
     *               for a person), so the check costs a scan at most this plus one call's timeout
     */
    public LikenessGuard(FaceLocator faces, FaceCollection collection, LikenessMatches matches, LikenessAlerts alerts,
                         LikenessSettings settings, ImageDecoder decoder, Clock clock, StructuredLog log,
                         Duration budget) {
        this.budget = budget;
        this.faces = faces;
        this.collection = collection;
        this.matches = matches;
        this.alerts = alerts;
        this.settings = settings;
        this.decoder = decoder;
        this.clock = clock;
        this.log = log;
    }

    /**
     * The check of a function that may not search the collection (on-demand checks): an image with faces is left to
     * the scan function. A stored object's check fails as unavailable, which queues it for the scan function; an
     * image sent inline is held for a person, so no ALLOW of it can be reused for the same bytes uploaded later.
     */
    public static LikenessGuard searchedByTheScanFunction(FaceLocator faces, Clock clock, StructuredLog log) {
        return new LikenessGuard(faces, null, null, null, LikenessSettings.searchedByTheScanFunction(), null, clock,
                log, Duration.ZERO);
    }

    /** Checks an image already known to carry a sexual or nudity label. */
    public Outcome check(ImageInput image) {
        List<FaceBox> found;
        try {
            found = faces.locate(image);
        } catch (EngineException e) {
            return notChecked("its faces could not be found (" + e.kind() + ")");
        }
        if (found.isEmpty()) {
            return Outcome.NOTHING;
        }
        if (collection == null) {
            if (image.storedAt().isPresent()) {
                throw new EngineException(EngineException.Kind.UNAVAILABLE, "registered likenesses are searched by "
                        + "the scan function only; the check goes to it");
            }
            return notChecked("registered likenesses are searched only when an upload is scanned, not in an "
                    + "image sent inline");
        }
        if (found.size() > settings.maxFacesSearched()) {
            return notChecked("it shows " + found.size() + " faces, more than the " + settings.maxFacesSearched()
                    + " searched in one image");
        }
        Set<String> registrations = new LinkedHashSet<>();
        long started = System.nanoTime();
        try {
            BufferedImage decoded = decoder.decode(image.bytes(), 2048);
            for (FaceBox face : found) {
                if (System.nanoTime() - started > budget.toNanos()) {
                    return notChecked("its faces could not all be compared with registered likenesses in time");
                }
                for (FaceCollection.Match match : collection.search(crop(decoded, face), settings.matchThreshold())) {
                    if (match.registrationId() != null) {
                        registrations.add(match.registrationId());
                    }
                }
            }
        } catch (LikenessUnavailableException | UnreadableImageException e) {
            return notChecked("the faces could not be compared with registered likenesses ("
                    + e.getClass().getSimpleName() + ")");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("facesSearched", found.size());
        fields.put("registrationsMatched", registrations.size());
        log.info("likeness-checked", fields);
        if (registrations.isEmpty()) {
            return Outcome.NOTHING;
        }
        alertOnce(ContentHashes.sha256(image.bytes()), registrations);
        return new Outcome(List.of(new Reason(ReasonCode.LIKENESS_MATCH, "A face in this image matches a person "
                + "who has registered to protect their likeness from sexual images published without their consent. "
                + "The image is quarantined and will be reviewed by a person within " + REVIEW_WITHIN.toHours()
                + " hours.", Action.QUARANTINE, true, null, null, null, null, GROUND)), Action.QUARANTINE, true);
    }

    /** Records each match and alerts its registration the first time these bytes match it; a retry alerts again. */
    private void alertOnce(String sha256, Set<String> registrations) {
        Instant now = clock.instant();
        for (String registrationId : registrations) {
            LikenessMatch match = new LikenessMatch(sha256, registrationId, LikenessMatch.referenceFor(registrationId,
                    sha256), now, now.plus(REVIEW_WITHIN), null, null, null);
            if (!matches.recordFirst(match)) {
                continue;
            }
            try {
                alerts.matched(registrationId, match.reference(), match.reviewDue());
            } catch (RuntimeException e) {
                matches.forget(sha256, registrationId);
                // The scan fails and is retried: the image stays unpublished, and the alert is sent then.
                throw new EngineException(EngineException.Kind.UNAVAILABLE, "the likeness alert could not be sent", e);
            }
        }
    }

    private static Outcome notChecked(String why) {
        return new Outcome(List.of(new Reason(ReasonCode.LIKENESS_NOT_CHECKED, "Sexual or nudity content was "
                + "detected but " + why + "; it is held for a person before it can be published.", Action.REVIEW,
                true, null, null, null, null, GROUND)), Action.REVIEW, true);
    }

    /** The face with a margin around it, scaled up when small, as a fresh JPEG (no metadata of the upload). */
    static byte[] crop(BufferedImage image, FaceBox face) {
        int w = image.getWidth();
        int h = image.getHeight();
        int x0 = clamp((int) Math.floor((face.left() - MARGIN * face.width()) * w), w - 1);
        int y0 = clamp((int) Math.floor((face.top() - MARGIN * face.height()) * h), h - 1);
        int x1 = clamp((int) Math.ceil((face.left() + (1 + MARGIN) * face.width()) * w), w);
        int y1 = clamp((int) Math.ceil((face.top() + (1 + MARGIN) * face.height()) * h), h);
        int cw = Math.max(1, x1 - x0);
        int ch = Math.max(1, y1 - y0);
        BufferedImage cut = image.getSubimage(x0, y0, Math.min(cw, w - x0), Math.min(ch, h - y0));
        double scale = Math.max(1, (double) MIN_CROP_SIDE / Math.min(cut.getWidth(), cut.getHeight()));
        return JpegCopies.encode(JpegCopies.scaleOntoWhite(cut, (int) Math.round(cut.getWidth() * scale),
                (int) Math.round(cut.getHeight() * scale)), 0.92f);
    }

    private static int clamp(int value, int max) {
        return Math.max(0, Math.min(max, value));
    }
}
