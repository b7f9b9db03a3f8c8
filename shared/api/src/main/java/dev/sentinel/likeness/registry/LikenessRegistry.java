package dev.sentinel.likeness.registry;

import dev.sentinel.cases.Actor;
import dev.sentinel.cases.CaseNotFoundException;
import dev.sentinel.cases.InvalidCaseRequestException;
import dev.sentinel.hash.BankEntry;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.likeness.AlertSubscriptions;
import dev.sentinel.likeness.Consent;
import dev.sentinel.likeness.FaceCollection;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.likeness.LikenessUnavailableException;
import dev.sentinel.likeness.Registration;
import dev.sentinel.likeness.RegistrationStore;
import dev.sentinel.likeness.RekognitionFaceCollection;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.store.DynamoHashBank;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Registrations of protected people: enrolment with consent, self-submitted hashes, renewal, withdrawal and expiry.
 * Reference photos pass through to the face collection and are dropped: only face ids, the consent record and the
 * audit trail are kept. Withdrawal and expiry erase faces and hashes before the registration is closed, so a
 * failure leaves it open and the request can simply be repeated.
 */
public final class LikenessRegistry {

    public static final int MAX_PHOTOS = 5;
    /** Rekognition's limit for image bytes. */
    public static final int MAX_PHOTO_BYTES = 5 * 1024 * 1024;
    public static final int MAX_HASHES_PER_REQUEST = 100;
    public static final int MAX_HASHES = 500;
    /** Self-submitted hashes are filed as intimate imagery, the category StopNCII hashes are. */
    public static final String HASH_CATEGORY = "intimate-imagery";
    private static final Set<String> ON_BEHALF_OF = Set.of(Consent.SELF, Consent.GUARDIAN_OF_MINOR,
            Consent.REPRESENTATIVE);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /** Too many enrolments by one caller today. */
    public static final class EnrolmentLimitException extends RuntimeException {
        public EnrolmentLimitException(String message) {
            super(message);
        }
    }

    /** An enrolment request: one to five reference photos (JPEG or PNG bytes), the consent, the contact channel. */
    public record Enrolment(List<byte[]> photos, Consent consent, String contact) { }

    private final FaceCollection collection;
    private final RegistrationStore registrations;
    private final DynamoHashBank bank;
    private final AuditTrail audit;
    private final AlertSubscriptions subscriptions;
    private final LikenessSettings settings;
    private final Clock clock;

    public LikenessRegistry(FaceCollection collection, RegistrationStore registrations, DynamoHashBank bank,
                            AuditTrail audit, AlertSubscriptions subscriptions, LikenessSettings settings,
                            Clock clock) {
        this.collection = collection;
        this.subscriptions = subscriptions;
        this.registrations = registrations;
        this.bank = bank;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Enrols a person. Every photo must show exactly one clear face; otherwise nothing is kept (faces indexed from
     * the other photos are deleted again) and the refusal says which photo failed and why.
     *
     * @param self true when the person enrols themselves with their own token: the registration is then theirs
     * @throws InvalidCaseRequestException for a bad request or refused photos
     * @throws EnrolmentLimitException     when the caller has enrolled {@link LikenessSettings#enrolmentsPerDay}
     */
    public Registration enrol(Enrolment enrolment, Actor caller, boolean self) {
        Instant now = clock.instant();
        validate(enrolment, self, now);
        if (!registrations.countEnrolment(caller.subject(), now.atZone(ZoneOffset.UTC).toLocalDate().toString(),
                settings.enrolmentsPerDay())) {
            throw new EnrolmentLimitException("at most " + settings.enrolmentsPerDay() + " enrolments a day may be "
                    + "made by one caller; try again tomorrow");
        }
        String id = "lk-" + UUID.randomUUID().toString().replace("-", "");
        List<String> faceIds = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        try {
            for (int i = 0; i < enrolment.photos().size(); i++) {
                FaceCollection.Indexed indexed = collection.index(enrolment.photos().get(i), id);
                faceIds.addAll(indexed.faceIds());
                String problem = problemWith(indexed);
                if (problem != null) {
                    refused.add("photo " + (i + 1) + ": " + problem);
                }
            }
        } catch (RuntimeException e) {
            collection.delete(faceIds);
            throw e;
        }
        if (!refused.isEmpty()) {
            collection.delete(faceIds);
            throw new InvalidCaseRequestException("each reference photo must show exactly one clear face; nothing was "
                    + "kept: " + String.join("; ", refused));
        }
        String contact = enrolment.contact().trim();
        // Subscribed only once the photos are accepted: a refused enrolment must not send a confirmation mail.
        String subscription;
        try {
            subscription = subscriptions.subscribe(id, contact);
        } catch (AlertSubscriptions.ContactRefusedException e) {
            collection.delete(faceIds);
            throw new InvalidCaseRequestException(e.getMessage());
        } catch (RuntimeException e) {
            collection.delete(faceIds);
            throw e;
        }
        Registration registration = new Registration(id, self ? caller.subject() : null, enrolment.consent(),
                contact, subscription, faceIds, List.of(), Registration.ACTIVE, now, caller.subject(),
                now.atZone(ZoneOffset.UTC).plus(settings.term()).toInstant(), null, 0);
        try {
            registrations.create(registration);
        } catch (RuntimeException e) {
            collection.delete(faceIds);
            if (subscription != null) {
                subscriptions.unsubscribe(subscription);
            }
            throw e;
        }
        // The audit names the channel, never the contact itself.
        record(id, caller, "LIKENESS_ENROLLED", faceIds.size() + " face(s) indexed from " + enrolment.photos().size()
                + " reference photo(s), which were not kept; consent by " + enrolment.consent().onBehalfOf()
                + ", notice " + enrolment.consent().noticeVersion() + ", until " + registration.expiresAt()
                + (subscription == null ? "; alerts are off" : "; " + AlertSubscriptions.channelOf(contact).protocol
                + " contact subscribed to alerts"));
        return registration;
    }

    public Registration find(String registrationId) {
        return registrations.find(registrationId).orElseThrow(() -> new CaseNotFoundException("no registration "
                + registrationId));
    }

    /**
     * Adds PDQ hashes the person computed on their own device from their own intimate images (never the images):
     * uploads within the bank's distance of one are quarantined as known content.
     */
    public Registration addHashes(String registrationId, List<String> pdqHex, Actor caller) {
        Registration current = activeOnly(find(registrationId));
        if (pdqHex == null || pdqHex.isEmpty() || pdqHex.size() > MAX_HASHES_PER_REQUEST) {
            throw new InvalidCaseRequestException("send 1 to " + MAX_HASHES_PER_REQUEST + " PDQ hashes");
        }
        List<Registration.SubmittedHash> hashes = new ArrayList<>(current.hashes());
        Instant now = clock.instant();
        for (String raw : pdqHex) {
            String hex = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new InvalidCaseRequestException("a PDQ hash is 64 hexadecimal digits (256 bits); nothing was "
                        + "added");
            }
            if (hashes.stream().noneMatch(h -> h.pdq().equals(hex))) {
                hashes.add(new Registration.SubmittedHash(hex, "self-submitted-" + randomHex(), now));
            }
        }
        if (hashes.size() > MAX_HASHES) {
            throw new InvalidCaseRequestException("a registration holds at most " + MAX_HASHES + " hashes");
        }
        List<Registration.SubmittedHash> added = hashes.subList(current.hashes().size(), hashes.size());
        for (Registration.SubmittedHash hash : added) {
            bank.addToBank(entryOf(hash));
        }
        Registration next = current.withHashes(hashes);
        registrations.update(current, next);
        record(registrationId, caller, "LIKENESS_HASHES_ADDED", added.size() + " self-submitted PDQ hash(es) added "
                + "to the bank as " + HASH_CATEGORY);
        return next;
    }

    /** Renews the term from now, on consent given again. */
    public Registration renew(String registrationId, Consent consent, Actor caller, boolean self) {
        Registration current = activeOnly(find(registrationId));
        Instant now = clock.instant();
        validateConsent(consent, self, now);
        Registration next = current.renewed(consent, now.atZone(ZoneOffset.UTC).plus(settings.term()).toInstant());
        registrations.update(current, next);
        record(registrationId, caller, "LIKENESS_RENEWED", "consent given again (notice " + consent.noticeVersion()
                + "); until " + next.expiresAt());
        return next;
    }

    /**
     * Withdraws consent: faces deleted from the collection, hashes removed from the bank, the registration closed,
     * in this one call. Withdrawing a closed registration changes nothing.
     */
    public Registration withdraw(String registrationId, Actor caller) {
        Registration current = find(registrationId);
        if (!current.active()) {
            return current;
        }
        return erase(current, Registration.WITHDRAWN, caller, "LIKENESS_WITHDRAWN", "consent withdrawn");
    }

    /**
     * The scheduled check: closes every registration whose term has ended, erasing its faces and hashes and removing
     * its alerts subscription. One that cannot be closed now stays open and due, so the next run retries it; the
     * others are closed all the same, and the run then fails so the failure shows.
     *
     * @throws LikenessUnavailableException after the loop, when any registration could not be closed
     */
    public int expireDue() {
        Actor system = new Actor("sentinel-likeness-expiry", List.of());
        int expired = 0;
        LikenessUnavailableException failed = null;
        for (Registration due : registrations.activeExpiredBefore(clock.instant())) {
            try {
                erase(due, Registration.EXPIRED, system, "LIKENESS_EXPIRED", "the registration's term ended on "
                        + due.expiresAt() + " without renewal");
                expired++;
            } catch (LikenessUnavailableException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        return expired;
    }

    /**
     * Faces and hashes first, the alerts subscription after: a failed unsubscribe never leaves faces behind. It
     * does leave the registration open, so the failure is the caller's error answer (withdrawal) or is retried by
     * the next expiry run, and is audited; repeating deletes nothing twice.
     */
    private Registration erase(Registration current, String status, Actor caller, String what, String why) {
        collection.delete(current.faceIds());
        for (Registration.SubmittedHash hash : current.hashes()) {
            bank.removeFromBank(entryOf(hash));
        }
        String erased = current.faceIds().size() + " face(s) deleted from the collection and "
                + current.hashes().size() + " hash(es) removed from the bank";
        if (current.subscriptionArn() != null) {
            try {
                subscriptions.unsubscribe(current.subscriptionArn());
            } catch (RuntimeException e) {
                record(current.registrationId(), caller, "LIKENESS_UNSUBSCRIBE_FAILED", why + "; " + erased
                        + ", but the alerts subscription could not be removed; the registration stays open until "
                        + "it is");
                throw e;
            }
        }
        Registration closed = current.closed(status, clock.instant());
        registrations.update(current, closed);
        record(current.registrationId(), caller, what, why + "; " + erased
                + (current.subscriptionArn() == null ? "" : "; alerts subscription removed"));
        return closed;
    }

    private Registration activeOnly(Registration registration) {
        if (!registration.active()) {
            throw new dev.sentinel.cases.CaseConflictException("registration " + registration.registrationId()
                    + " is " + registration.status() + "; enrol again");
        }
        return registration;
    }

    private BankEntry entryOf(Registration.SubmittedHash hash) {
        return new BankEntry(hash.pdq(), BankEntry.PDQ, HASH_CATEGORY, hash.source(), "self-submitted",
                hash.addedAt(), null);
    }

    private void record(String registrationId, Actor caller, String what, String why) {
        audit.append(new AuditEntry(registrationId, clock.instant(), caller.subject(), caller.groups(), what, why,
                null, null, null));
    }

    private static String problemWith(FaceCollection.Indexed indexed) {
        List<String> reasons = indexed.refusals();
        if (reasons.contains(RekognitionFaceCollection.UNREADABLE)) {
            return "not an image the face service can read (JPEG or PNG, at most 5 MB, at least 80 pixels a side)";
        }
        if (reasons.contains("EXCEEDS_MAX_FACES")) {
            return "shows more than one face";
        }
        if (!reasons.isEmpty()) {
            return "the face is not clear enough (" + String.join(", ", reasons) + ")";
        }
        if (indexed.faceIds().isEmpty()) {
            return "shows no face";
        }
        return null;
    }

    private static void validate(Enrolment enrolment, boolean self, Instant now) {
        if (enrolment.photos() == null || enrolment.photos().isEmpty() || enrolment.photos().size() > MAX_PHOTOS) {
            throw new InvalidCaseRequestException("send 1 to " + MAX_PHOTOS + " reference photos");
        }
        for (int i = 0; i < enrolment.photos().size(); i++) {
            byte[] photo = enrolment.photos().get(i);
            ImageFormat format = photo == null ? ImageFormat.UNKNOWN : ImageFormat.sniff(photo);
            if (format != ImageFormat.JPEG && format != ImageFormat.PNG) {
                throw new InvalidCaseRequestException("photo " + (i + 1) + " is not a JPEG or PNG image");
            }
            if (photo.length > MAX_PHOTO_BYTES) {
                throw new InvalidCaseRequestException("photo " + (i + 1) + " is over 5 MB");
            }
        }
        validateConsent(enrolment.consent(), self, now);
        String contact = enrolment.contact();
        if (contact == null || contact.isBlank() || contact.length() > 320
                || AlertSubscriptions.channelOf(contact) == null) {
            throw new InvalidCaseRequestException("contact (where alerts go) is required, at most 320 characters: an "
                    + "e-mail address, an E.164 phone number (+4915112345678) or an https:// URL");
        }
    }

    private static void validateConsent(Consent consent, boolean self, Instant now) {
        if (consent == null) {
            throw new InvalidCaseRequestException("consent is required: consentedBy, onBehalfOf, scope, "
                    + "noticeVersion, consentedAt");
        }
        required(consent.consentedBy(), "consent.consentedBy", 200);
        required(consent.scope(), "consent.scope", 100);
        required(consent.noticeVersion(), "consent.noticeVersion", 100);
        if (consent.onBehalfOf() == null || !ON_BEHALF_OF.contains(consent.onBehalfOf())) {
            throw new InvalidCaseRequestException("consent.onBehalfOf must be one of " + ON_BEHALF_OF);
        }
        if (self && !consent.onBehalfOf().equals(Consent.SELF)) {
            throw new InvalidCaseRequestException("enrolling with your own token, consent.onBehalfOf must be SELF");
        }
        if (consent.consentedAt() == null || consent.consentedAt().isAfter(now.plus(CLOCK_SKEW))
                || consent.consentedAt().isBefore(now.minus(Duration.ofDays(30)))) {
            throw new InvalidCaseRequestException("consent.consentedAt must be within the last 30 days");
        }
    }

    private static void required(String value, String name, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw new InvalidCaseRequestException(name + " is required, at most " + max + " characters");
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[8];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
