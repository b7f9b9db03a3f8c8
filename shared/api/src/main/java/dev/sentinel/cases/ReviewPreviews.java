package dev.sentinel.cases;

import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.JpegCopies;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.policy.Action;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Verdict;
import java.awt.image.BufferedImage;
import java.util.Base64;

/**
 * What a reviewer is shown of a held image: a small copy decoded with the same limits as scanning and encoded
 * afresh, so no metadata (camera, location) and no crafted bytes reach the browser, and nothing larger than a
 * preview leaves the store. Child-safety items are never shown, to anyone: reviewers work from hashes and
 * metadata, and the legal team from the report record.
 */
public final class ReviewPreviews {

    /** A JPEG preview, base64-encoded so it travels in a JSON answer. */
    public record Preview(String contentType, int width, int height, String data) { }

    /** Refused because the item is a child-safety item. */
    public static final class NeverShownException extends RuntimeException {
        NeverShownException(String verdictId) {
            super("verdict " + verdictId + " is a child-safety item; its image is never shown (hashes and metadata only)");
        }
    }

    public static final int MAX_SIDE = 800;
    /** javax.imageio's default: enough to judge, small enough for a JSON answer. */
    private static final float PREVIEW_QUALITY = 0.75f;

    private final VerdictStore verdicts;
    private final ObjectStore objects;
    private final ImageDecoder decoder;
    private final long maxObjectBytes;

    public ReviewPreviews(VerdictStore verdicts, ObjectStore objects, ImageDecoder decoder, long maxObjectBytes) {
        this.verdicts = verdicts;
        this.objects = objects;
        this.decoder = decoder;
        this.maxObjectBytes = maxObjectBytes;
    }

    public static boolean isChildSafety(Verdict verdict) {
        return verdict.action() == Action.CHILD_SAFETY
                || verdict.reasons().stream().anyMatch(r -> r.action() == Action.CHILD_SAFETY);
    }

    /**
     * @throws CaseNotFoundException     no such verdict, or its object is no longer stored
     * @throws NeverShownException       a child-safety item
     * @throws UnreadableImageException  the stored bytes are not an image this decoder reads within its limits
     */
    public Preview of(String verdictId) {
        Verdict verdict = verdicts.find(verdictId)
                .orElseThrow(() -> new CaseNotFoundException("no verdict " + verdictId));
        if (isChildSafety(verdict)) {
            throw new NeverShownException(verdictId);
        }
        byte[] stored;
        try {
            stored = objects.read(verdict.placement().location(), maxObjectBytes)
                    .orElseThrow(() -> new CaseNotFoundException("the object of verdict " + verdictId
                            + " is no longer stored"));
        } catch (ObjectTooLargeException e) {
            throw new UnreadableImageException("the object is larger than the preview limit", e);
        }
        BufferedImage image = fit(decoder.decode(stored, MAX_SIDE));
        return new Preview("image/jpeg", image.getWidth(), image.getHeight(),
                Base64.getEncoder().encodeToString(JpegCopies.encode(image, PREVIEW_QUALITY)));
    }

    private static BufferedImage fit(BufferedImage decoded) {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(decoded.getWidth(), decoded.getHeight()));
        return JpegCopies.scaleOntoWhite(decoded, Math.max(1, (int) Math.round(decoded.getWidth() * scale)),
                Math.max(1, (int) Math.round(decoded.getHeight() * scale)));
    }
}
