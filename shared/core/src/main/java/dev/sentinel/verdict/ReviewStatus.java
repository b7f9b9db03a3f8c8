package dev.sentinel.verdict;

/** Whether a person still has to look at this verdict, and what people decided. */
public enum ReviewStatus {
    /** Published automatically; nobody needs to look (a notice or appeal can still open a review). */
    NOT_NEEDED,
    /** Waiting for a reviewer: held or quarantined automatically, or the subject of a notice. */
    PENDING,
    /** A reviewer upheld the restriction. */
    CONFIRMED,
    /** A reviewer lifted the restriction: the object is published. */
    RELEASED,
    /** The uploader contested the decision; a person decides the appeal. */
    APPEALED
}
