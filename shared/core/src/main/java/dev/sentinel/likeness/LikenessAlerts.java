package dev.sentinel.likeness;

import java.time.Instant;

/** Tells a registration's contact channel that an image that may show them is held for review. */
public interface LikenessAlerts {

    /**
     * @param reference what the person quotes when filing a notice; names neither the image nor the uploader
     * @param reviewDue when a person will have looked at the image at the latest
     */
    void matched(String registrationId, String reference, Instant reviewDue);

    static LikenessAlerts none() {
        return (registrationId, reference, reviewDue) -> { };
    }
}
