package dev.sentinel.safety;

import java.util.Optional;

/** Where child-safety report records are kept for the legal team. */
public interface ChildSafetyReports {

    /** Creates the record once per verdict; a second create for the same verdict is ignored. */
    void create(ChildSafetyReport report);

    Optional<ChildSafetyReport> findReport(String verdictId);

    static ChildSafetyReports none() {
        return new ChildSafetyReports() {
            @Override
            public void create(ChildSafetyReport report) {
            }

            @Override
            public Optional<ChildSafetyReport> findReport(String verdictId) {
                return Optional.empty();
            }
        };
    }
}
