package dev.sentinel.scan;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.store.VerdictStore;
import java.time.Duration;
import java.util.function.Supplier;

/** The claim on a verdict id that lets one delivery at a time decide or move an object. */
public final class VerdictClaims {

    private final VerdictStore verdicts;
    private final Duration ttl;

    /** @param ttl longer than a scan can take, short enough for a quick takeover after a crash */
    VerdictClaims(VerdictStore verdicts, Duration ttl) {
        this.verdicts = verdicts;
        this.ttl = ttl;
    }

    /**
     * Runs {@code work} while holding the claim on {@code verdictId}, so no other delivery decides or moves the
     * same object meanwhile.
     *
     * @throws ScanFailedException when another delivery holds the claim; the queue retries this one later
     */
    <T> T under(String verdictId, ObjectRef ref, Supplier<T> work) {
        return under(verdictId, work, () -> new ScanFailedException("another delivery of " + ObjectDescription.of(ref)
                + " is being scanned now; this one will be retried and find its verdict", null));
    }

    /** As {@link #under(String, ObjectRef, Supplier)}, failing with {@code busy} when the claim is held. */
    <T> T under(String verdictId, Supplier<T> work, Supplier<? extends RuntimeException> busy) {
        return verdicts.underClaim(verdictId, ttl, work, busy);
    }
}
