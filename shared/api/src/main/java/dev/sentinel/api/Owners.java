package dev.sentinel.api;

import dev.sentinel.cases.Actor;
import dev.sentinel.verdict.Verdict;

/**
 * What an uploader application owns: the objects under its own prefix (keys that begin with its token's {@code sub}
 * and a slash) and the verdicts on them or that it asked for. Of another application's it is told nothing, not even
 * whether a verdict exists: verdict ids are derived from keys, versions and bytes, so a 404 where another's verdict
 * gets a 403 would confirm what the other application stored or checked.
 */
final class Owners {

    private Owners() {
    }

    static boolean ownsKey(Actor caller, String key) {
        return !caller.subject().isEmpty() && key != null && key.startsWith(caller.subject() + "/");
    }

    static boolean ownsVerdict(Actor caller, Verdict verdict) {
        return caller.subject().equals(verdict.requestedBy()) || ownsKey(caller, verdict.object().key());
    }

    /** The one answer to an application about anything not its own, whether it exists or not. */
    static ApiProblem notYours() {
        return new ApiProblem(403, "urn:sentinel:problem:forbidden", "Not allowed", "an uploader application "
                + "checks, reads and appeals only its own objects and verdicts: keys under its own prefix (its "
                + "token's sub, then '/')");
    }
}
