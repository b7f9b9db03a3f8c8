package dev.sentinel.scan;

import dev.sentinel.hash.HashMatching;
import dev.sentinel.safety.ChildSafetyReports;
import dev.sentinel.safety.SafetySettings;
import dev.sentinel.safety.SafetySignals;
import java.time.Period;

/**
 * What the scan pipeline consults besides engine and policy, each optional.
 *
 * @param matching known-content bank and duplicate reuse, consulted before the engine
 * @param safety   child-safety and synthetic-imagery signals, consulted after it; null for none
 * @param reports  where child-safety report records go
 */
public record ScanExtensions(HashMatching matching, SafetySignals safety, ChildSafetyReports reports) {

    public static ScanExtensions none() {
        return new ScanExtensions(HashMatching.none(), null, ChildSafetyReports.none());
    }

    public ScanExtensions withMatching(HashMatching bank) {
        return new ScanExtensions(bank, safety, reports);
    }

    /** How long quarantined child-safety objects are locked. */
    public Period retention() {
        return safety == null ? SafetySettings.MIN_RETENTION : safety.settings().retention();
    }
}
