package dev.sentinel.cases;

import java.util.List;
import java.util.Objects;

/** Who acts: the authenticated caller's subject and groups, as the API's authorizer established them. */
public record Actor(String subject, List<String> groups) {

    public Actor {
        Objects.requireNonNull(subject, "subject");
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    public boolean inAny(List<String> wanted) {
        return groups.stream().anyMatch(wanted::contains);
    }
}
