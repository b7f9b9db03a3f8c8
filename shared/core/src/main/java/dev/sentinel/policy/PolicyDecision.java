package dev.sentinel.policy;

import java.util.List;

/** The outcome of applying a policy to what an engine saw. */
public record PolicyDecision(Action action, List<Reason> reasons, String policyVersion) {

    public PolicyDecision {
        reasons = List.copyOf(reasons);
    }
}
