package dev.sentinel.store;

/** What a takedown notice alleges; each category has its own deadline for a person's decision. */
public enum NoticeCategory {
    /** An order from a court or authority (e.g. India's IT Rules 3(1)(d): 3 hours). */
    GOVERNMENT_ORDER,
    /** Non-consensual intimate imagery, real or synthetic (TAKE IT DOWN Act; India: 2 hours). */
    INTIMATE_IMAGERY,
    /** Sexual content involving minors. */
    CHILD_SAFETY,
    /** Other content alleged to be illegal (EU DSA art. 16 notice). */
    ILLEGAL_CONTENT,
    /** Anything else against the terms of service. */
    OTHER
}
