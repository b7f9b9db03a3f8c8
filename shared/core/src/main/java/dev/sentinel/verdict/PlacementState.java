package dev.sentinel.verdict;

/**
 * Where a decided object is in carrying out its verdict. Each step is recorded before the next begins, so an
 * attempt that dies midway is resumed from the last recorded state by the next one, without loss or repetition.
 */
public enum PlacementState {
    /** The verdict is written; the object has not been touched yet. */
    PENDING(false),
    /** Tagged approved in the uploads bucket: readable. */
    PUBLISHED(true),
    /** Left in the uploads bucket untagged for approval: not readable. */
    HELD(true),
    /** A verified copy is in quarantine; the original may still be in uploads. */
    QUARANTINE_COPIED(false),
    /** Only the quarantine copy remains. */
    QUARANTINED(true),
    /** The object disappeared before its verdict could be carried out (deleted by its owner). */
    GONE(true),
    /** An image checked on demand and sent inline: nothing was stored, so there is nothing to place. */
    NOT_STORED(true);

    private final boolean settled;

    PlacementState(boolean settled) {
        this.settled = settled;
    }

    /** True when nothing is left to do for this verdict. */
    public boolean settled() {
        return settled;
    }
}
