package dev.sentinel.store;

import java.util.Optional;

public interface AppealStore {

    void create(Appeal appeal);

    Optional<Appeal> findAppeal(String appealId);

    /** Replaces {@code current} with {@code next} only if it is still at {@code current}'s revision. */
    void update(Appeal current, Appeal next);
}
