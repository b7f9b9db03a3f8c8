package dev.sentinel.store;

import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.util.List;
import java.util.Optional;

/** Where verdicts are kept. Nothing is overwritten unseen: creation is once per id, updates check the revision. */
public interface VerdictStore {

    /**
     * Stores a new verdict unless one with the same id exists.
     *
     * @return true when stored; false when a verdict with this id was already there (a replayed event)
     */
    boolean create(Verdict verdict);

    Optional<Verdict> find(String verdictId);

    /**
     * Claims the right to decide {@code verdictId} for {@code ttl}, so a concurrent duplicate delivery does not pay
     * for a second engine call. A claim whose holder died expires.
     *
     * @return true when this owner holds the claim; false when another live owner does
     */
    boolean claim(String verdictId, java.time.Duration ttl, String owner);

    /** Gives up a claim early (best effort; claims also expire). */
    void release(String verdictId, String owner);

    /**
     * Runs {@code work} holding the claim on {@code verdictId}, so that nothing else decides, moves or releases the
     * same object meanwhile; the claim is given up afterwards, or lapses after {@code ttl} if this process dies.
     *
     * @param whenHeld what to throw when another live owner holds the claim
     */
    default <T> T underClaim(String verdictId, java.time.Duration ttl, java.util.function.Supplier<T> work,
                             java.util.function.Supplier<? extends RuntimeException> whenHeld) {
        String owner = java.util.UUID.randomUUID().toString();
        if (!claim(verdictId, ttl, owner)) {
            throw whenHeld.get();
        }
        try {
            return work.get();
        } finally {
            release(verdictId, owner);
        }
    }

    /**
     * Replaces {@code current} with {@code next}, only if the stored verdict is still at {@code current}'s revision.
     *
     * @throws ConcurrentUpdateException when someone else changed it first; re-read and decide again
     */
    void update(Verdict current, Verdict next);

    /** Every verdict ever given to this object key, newest first. */
    List<Verdict> historyOf(String bucket, String key);

    /** Verdicts waiting for (or past) review, oldest first, a page at a time. */
    Page<Verdict> listByReview(ReviewStatus status, int limit, String cursor);

    /** One page of results and the opaque cursor of the next page (null when there is none). */
    record Page<T>(List<T> items, String nextCursor) {
        public Page {
            items = List.copyOf(items);
        }
    }
}
