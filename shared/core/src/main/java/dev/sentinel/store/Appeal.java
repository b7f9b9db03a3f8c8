package dev.sentinel.store;

import java.time.Instant;

/**
 * An uploader's appeal against a decision (EU DSA art. 20). Decided by a person, never automatically.
 *
 * @param status   PENDING, UPHELD (the decision stands) or REVERSED
 * @param revision increases with every stored change
 */
public record Appeal(String appealId, String verdictId, String statement, String lodgedBy, Instant lodgedAt,
                     String status, String decidedBy, Instant decidedAt, String reason, long revision) {

    public static final String PENDING = "PENDING";
    public static final String UPHELD = "UPHELD";
    public static final String REVERSED = "REVERSED";

    public Appeal decided(String outcome, String reviewer, Instant at, String why) {
        return new Appeal(appealId, verdictId, statement, lodgedBy, lodgedAt, outcome, reviewer, at, why,
                revision + 1);
    }
}
