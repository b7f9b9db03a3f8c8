package dev.sentinel.policy;

/** Why a decision was taken, as a closed set so reports can count them. */
public enum ReasonCode {
    /** A policy rule fired on a detected label. */
    POLICY_RULE,
    /** No rule fired: nothing restricted was detected. */
    NOTHING_DETECTED,
    /** The engine returned a label this system does not know; held so a person can look. */
    UNRECOGNIZED_LABEL,
    /** The object has no bytes. */
    EMPTY_OBJECT,
    /** The object is not an image in a format the pipeline reads. */
    UNSUPPORTED_FORMAT,
    /** The object is larger than the pipeline will read. */
    TOO_LARGE,
    /** The image could not be decoded, or the engine refused it. */
    IMAGE_REJECTED,
    /** An animation: which frames were judged as its distinct scenes (the labels are the strongest of any). */
    ANIMATION_SCENES,
    /** An animation with more distinct scenes or frames than are judged automatically; held for a person. */
    ANIMATION_OVER_CAP,
    /** The content matches a hash in the bank of known content (exactly, or by PDQ within the threshold). */
    KNOWN_CONTENT,
    /** The same bytes were decided before; that decision is reused instead of asking the engine again. */
    CONTENT_REUSED,
    /** Sexual or nudity content with a face whose estimated age may be under 18: escalated to people. */
    CHILD_SAFETY_SIGNAL,
    /** Sexual content, a real face, and metadata declaring AI generation: suspected synthetic intimate imagery. */
    SUSPECTED_SYNTHETIC_INTIMATE,
    /** Sexual or nudity content whose faces could not be checked for age: a person must look. */
    FACES_NOT_CHECKED,
    /** The engine stayed unavailable through every delivery attempt: held unpublished until a rescan or a person. */
    ENGINE_UNAVAILABLE,
    /** A rescan under a newer policy would decide differently; held for a person rather than loosened silently. */
    POLICY_CHANGED,
    /** Sexual or nudity content showing a face that matches a registered likeness: quarantined for priority review. */
    LIKENESS_MATCH,
    /** Sexual or nudity content whose faces could not be compared with registered likenesses: a person must look. */
    LIKENESS_NOT_CHECKED
}
