package dev.sentinel.policy;

/**
 * What happens to an image, in increasing severity: ALLOW &lt; REVIEW &lt; QUARANTINE &lt; CHILD_SAFETY. The order is
 * total and a decision only ever moves up it: when several rules or signals fire, the most severe action wins.
 */
public enum Action {
    /** Published: the object is tagged approved and becomes readable. */
    ALLOW,
    /** Held where it is, not readable, until a person decides. */
    REVIEW,
    /** Moved to the locked quarantine bucket, not readable, queued for a person. */
    QUARANTINE,
    /**
     * Suspected sexual content involving a minor: quarantined at once under legal hold and retention, never public,
     * released only by two different reviewers, never sent to an outside reviewer.
     */
    CHILD_SAFETY;

    public boolean isMoreSevereThan(Action other) {
        return compareTo(other) > 0;
    }

    public static Action mostSevere(Action a, Action b) {
        return a.isMoreSevereThan(b) ? a : b;
    }
}
