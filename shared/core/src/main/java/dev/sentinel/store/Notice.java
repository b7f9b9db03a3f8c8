package dev.sentinel.store;

import dev.sentinel.objects.ObjectRef;
import java.time.Instant;

/**
 * A takedown notice as received (EU DSA art. 16: who, what, where, why, good faith).
 *
 * @param object      the object named, as found when the notice arrived (with its version)
 * @param verdictId   the verdict of that object version the notice was attached to; null when it had none yet
 * @param receivedBy  the caller who filed it (a notice-intake application or a reviewer)
 */
public record Notice(String noticeId, NoticeCategory category, ObjectRef object, String verdictId,
                     Notifier notifier, String explanation, boolean goodFaith, Instant receivedAt, Instant deadline,
                     String receivedBy) {

    /** Who sent the notice. */
    public record Notifier(String name, String email, String organisation) { }
}
