package dev.sentinel.policy;

/**
 * What happens to an image, in increasing severity. The order is total and a decision only ever moves up it:
 * when several rules fire, the most severe action wins.
 */
public enum Action {
    /** Published: the object is tagged approved and becomes readable. */
    ALLOW,
    /** Held where it is, not readable, until a person decides. */
    REVIEW,
    /** Moved to the locked quarantine bucket, not readable, queued for a person. */
    QUARANTINE;

    public boolean isMoreSevereThan(Action other) {
        return compareTo(other) > 0;
    }

    public static Action mostSevere(Action a, Action b) {
        return a.isMoreSevereThan(b) ? a : b;
    }
}
