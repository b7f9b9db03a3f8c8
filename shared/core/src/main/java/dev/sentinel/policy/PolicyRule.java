package dev.sentinel.policy;

import java.util.Objects;

/**
 * One line of a policy: when a label at or below {@code label} in the taxonomy is detected with at least
 * {@code minConfidence}, the image gets at least {@code action}.
 *
 * @param ground the policy ground quoted in the statement of reasons (which term of service, which law)
 */
public record PolicyRule(String label, double minConfidence, Action action, String ground) {

    public PolicyRule {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(action, "action");
        ground = ground == null ? "" : ground;
    }
}
