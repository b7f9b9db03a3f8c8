package dev.sentinel.likeness;

import java.time.Instant;
import java.util.List;

/** Where matches are recorded. */
public interface LikenessMatches {

    /** Records the match unless this registration was matched to the same bytes before; true when it is new. */
    boolean recordFirst(LikenessMatch match);

    /** Removes a match record whose alert could not be sent, so the retried scan records and alerts again. */
    void forget(String imageSha256, String registrationId);

    /** Every registration matched to these bytes. */
    List<LikenessMatch> ofImage(String imageSha256);

    /** Records a reviewer's finding on a match. */
    void update(LikenessMatch match);

    /** Matches recorded in [from, to). */
    List<LikenessMatch> matchedBetween(Instant from, Instant to);
}
