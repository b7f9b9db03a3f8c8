package dev.sentinel.verdict;

/** Whether a person still has to look at this verdict. */
public enum ReviewStatus {
    NOT_NEEDED,
    PENDING
}
