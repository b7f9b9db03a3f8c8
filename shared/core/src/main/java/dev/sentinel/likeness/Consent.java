package dev.sentinel.likeness;

import java.time.Instant;

/**
 * The explicit consent a registration rests on (GDPR art. 9(2)(a), BIPA's written release): who consented, for
 * whom, to what, having been shown which notice, and when. Identity is verified outside this system.
 *
 * @param consentedBy   who gave consent: the person, or their guardian or representative (a name or a reference
 *                      into the platform's identity records)
 * @param onBehalfOf    {@link #SELF}, {@link #GUARDIAN_OF_MINOR} or {@link #REPRESENTATIVE}
 * @param scope         what was consented to, e.g. {@code likeness-protection}
 * @param noticeVersion the version of the privacy notice shown before consent
 * @param consentedAt   when consent was given
 */
public record Consent(String consentedBy, String onBehalfOf, String scope, String noticeVersion, Instant consentedAt) {

    public static final String SELF = "SELF";
    public static final String GUARDIAN_OF_MINOR = "GUARDIAN_OF_MINOR";
    public static final String REPRESENTATIVE = "REPRESENTATIVE";
}
