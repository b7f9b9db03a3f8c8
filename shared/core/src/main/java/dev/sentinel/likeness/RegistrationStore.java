package dev.sentinel.likeness;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where registrations are kept. */
public interface RegistrationStore {

    void create(Registration registration);

    Optional<Registration> find(String registrationId);

    /** @throws RegistrationChangedException when {@code current} is no longer the stored revision */
    void update(Registration current, Registration next);

    /** Active registrations whose term ended before {@code now}. */
    List<Registration> activeExpiredBefore(Instant now);

    /**
     * Counts one enrolment by {@code caller} on {@code day} (yyyy-MM-dd, UTC).
     *
     * @return false, counting nothing, when the caller has made {@code limit} already that day
     */
    boolean countEnrolment(String caller, String day, int limit);
}
