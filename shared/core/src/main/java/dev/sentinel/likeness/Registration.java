package dev.sentinel.likeness;

import java.time.Instant;
import java.util.List;

/**
 * A protected person's registration: the consent record, the ids of their indexed faces and their self-submitted
 * hashes. Never the reference photos. Face ids stay inside the system: {@link #view()} is what callers see.
 *
 * @param owner     the caller subject of the person themselves, when they enrolled with their own token; null when a
 *                  registrar enrolled them
 * @param contact   where alerts go: the SNS endpoint subscribed to the alerts topic with this registration's filter
 * @param subscriptionArn that subscription, removed when the registration closes; null when alerts are off
 * @param status    ACTIVE, WITHDRAWN or EXPIRED; faces and hashes are erased when it stops being ACTIVE
 * @param revision  incremented on every update (optimistic concurrency)
 */
public record Registration(String registrationId, String owner, Consent consent, String contact,
                           String subscriptionArn, List<String> faceIds, List<SubmittedHash> hashes,
                           String status, Instant createdAt, String createdBy, Instant expiresAt,
                           Instant closedAt, long revision) {

    public static final String ACTIVE = "ACTIVE";
    public static final String WITHDRAWN = "WITHDRAWN";
    public static final String EXPIRED = "EXPIRED";

    /** One self-submitted PDQ hash and the bank source it was filed under (unlinkable to the registration). */
    public record SubmittedHash(String pdq, String source, Instant addedAt) { }

    public Registration {
        faceIds = faceIds == null ? List.of() : List.copyOf(faceIds);
        hashes = hashes == null ? List.of() : List.copyOf(hashes);
    }

    public boolean active() {
        return ACTIVE.equals(status);
    }

    public Registration withHashes(List<SubmittedHash> newHashes) {
        return new Registration(registrationId, owner, consent, contact, subscriptionArn, faceIds, newHashes,
                status, createdAt, createdBy, expiresAt, closedAt, revision + 1);
    }

    public Registration renewed(Consent newConsent, Instant newExpiry) {
        return new Registration(registrationId, owner, newConsent, contact, subscriptionArn, faceIds, hashes,
                status, createdAt, createdBy, newExpiry, closedAt, revision + 1);
    }

    /** Closed: faces and hashes erased (they were deleted from the collection and the bank first). */
    public Registration closed(String newStatus, Instant at) {
        return new Registration(registrationId, owner, consent, contact, subscriptionArn, List.of(), List.of(),
                newStatus, createdAt, createdBy, expiresAt, at, revision + 1);
    }

    /** What the API answers: the consent record and counts, never face ids or hashes. */
    public View view() {
        return new View(registrationId, status, consent, faceIds.size(), hashes.size(), createdAt, expiresAt,
                closedAt);
    }

    public record View(String registrationId, String status, Consent consent, int faces, int hashes,
                       Instant createdAt, Instant expiresAt, Instant closedAt) { }
}
