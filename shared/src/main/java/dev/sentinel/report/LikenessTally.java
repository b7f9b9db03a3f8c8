package dev.sentinel.report;

import java.time.Instant;

/** Counts likeness matches for the transparency report. */
public interface LikenessTally {

    /** Matches recorded in {@code [from, to)} and reviewers' findings about them. */
    TransparencyReport.LikenessMatches between(Instant from, Instant to);
}
