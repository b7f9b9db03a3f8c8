package dev.sentinel.policy;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of a statement of reasons (EU DSA art. 17): what fired, on which facts, with what consequence and on
 * which ground, and whether it was decided by automated means.
 *
 * @param code       machine-readable cause, see {@link ReasonCode}
 * @param text       the same in plain words for the uploader
 * @param label      the detected label the rule matched, when a label rule fired
 * @param confidence that label's confidence, 0..100
 * @param threshold  the rule's minimum confidence
 * @param rule       the rule's label (a category at or above {@code label})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reason(ReasonCode code, String text, Action action, boolean automated, String label, Double confidence,
                     Double threshold, String rule, String ground) {

    public static Reason of(ReasonCode code, Action action, String text) {
        return new Reason(code, text, action, true, null, null, null, null, null);
    }
}
