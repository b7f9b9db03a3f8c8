package dev.sentinel.safety;

import dev.sentinel.engine.FaceAge;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.verdict.ObjectIdentity;
import dev.sentinel.verdict.Provenance;
import dev.sentinel.verdict.SafetyFindings;
import dev.sentinel.verdict.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the legal team needs for a CyberTipline-style report of suspected child sexual abuse material: the object
 * and its hashes, when it was uploaded and detected, who uploaded it (whatever identity the upload carried), and
 * the signals. Created automatically; submitting it to an outside body is the legal team's act, not this system's.
 * It never contains image bytes or a link to them.
 *
 * @param uploaderFields object metadata whose names mention the uploader, user, account or IP, as the uploading
 *                       application set them
 */
public record ChildSafetyReport(String verdictId, ObjectIdentity object, ContentHashes hashes, Instant uploadedAt,
                                Instant detectedAt, Map<String, String> uploaderFields, List<ModerationLabel> labels,
                                List<FaceAge> faceAges, Provenance provenance, String evidenceLocation,
                                String status) {

    public static final String PENDING_LEGAL_REVIEW = "PENDING_LEGAL_REVIEW";

    public static ChildSafetyReport of(Verdict verdict, Map<String, String> objectMetadata, Instant detectedAt) {
        Map<String, String> uploader = new TreeMap<>();
        objectMetadata.forEach((key, value) -> {
            String k = key.toLowerCase(Locale.ROOT);
            if (k.contains("uploader") || k.contains("user") || k.contains("account") || k.contains("ip")) {
                uploader.put(key, value);
            }
        });
        SafetyFindings safety = verdict.safety();
        return new ChildSafetyReport(verdict.verdictId(), verdict.object(), verdict.contentHashes(),
                verdict.object().uploadedAt(), detectedAt, uploader, verdict.labels(),
                safety == null ? List.of() : safety.faces(), safety == null ? Provenance.NONE : safety.provenance(),
                "quarantine bucket, key <source bucket>/<key>, under legal hold", PENDING_LEGAL_REVIEW);
    }
}
