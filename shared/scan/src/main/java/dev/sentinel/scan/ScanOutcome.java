package dev.sentinel.scan;

import dev.sentinel.verdict.Verdict;

/** What scanning one upload event came to. */
public sealed interface ScanOutcome {

    /** A new verdict was decided and carried out. */
    record Decided(Verdict verdict) implements ScanOutcome { }

    /** The object version already had a verdict (a replayed event); any unfinished step was completed. */
    record AlreadyDecided(Verdict verdict) implements ScanOutcome { }

    /**
     * A rescan looked at an existing verdict again (after a policy change, or an engine that was unavailable).
     *
     * @param change what it did: {@code unchanged}, {@code stricter} (carried out now), {@code looser} (held for
     *               a person to confirm), {@code decided} (a held upload decided by the engine at last)
     */
    record Rescanned(Verdict before, Verdict verdict, String change) implements ScanOutcome { }

    /** Nothing to scan: not an upload, not an uploads bucket, or the object is gone or superseded. */
    record Skipped(String reason) implements ScanOutcome { }
}
