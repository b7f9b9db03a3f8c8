package dev.sentinel.store;

import java.util.List;

/** The append-only record of every decision and notice. */
public interface AuditTrail {

    void append(AuditEntry entry);

    /** Every entry about a subject, oldest first. */
    List<AuditEntry> of(String subject);
}
