package dev.sentinel.likeness;

import java.net.URI;
import java.util.regex.Pattern;

/** Subscribes a registration's contact channel to its own alerts, and removes that subscription again. */
public interface AlertSubscriptions {

    /** The channel a contact names, by its form; SNS's protocol names. */
    enum Channel {
        EMAIL("email"), SMS("sms"), HTTPS("https");

        public final String protocol;

        Channel(String protocol) {
            this.protocol = protocol;
        }
    }

    /**
     * @return the subscription's ARN (also while an e-mail or https subscription awaits confirmation), or null when
     *         alerts are off
     * @throws ContactRefusedException when the contact is of no known form or the service refuses it
     */
    String subscribe(String registrationId, String contact);

    /** Removes a subscription; one already gone (the person unsubscribed themselves) counts as removed. */
    void unsubscribe(String subscriptionArn);

    static AlertSubscriptions none() {
        return new AlertSubscriptions() {
            @Override
            public String subscribe(String registrationId, String contact) {
                return null;
            }

            @Override
            public void unsubscribe(String subscriptionArn) {
            }
        };
    }

    /** @return the channel {@code contact} names, or null when it is none of an e-mail address, E.164 or https URL */
    static Channel channelOf(String contact) {
        String c = contact == null ? "" : contact.trim();
        if (Forms.EMAIL.matcher(c).matches()) {
            return Channel.EMAIL;
        }
        if (Forms.E164.matcher(c).matches()) {
            return Channel.SMS;
        }
        if (c.startsWith("https://")) {
            try {
                URI uri = new URI(c);
                return uri.getHost() == null || uri.getHost().isEmpty() ? null : Channel.HTTPS;
            } catch (java.net.URISyntaxException e) {
                return null;
            }
        }
        return null;
    }

    /** The contact cannot be subscribed as given: the enrolment's fault, not the service's. */
    final class ContactRefusedException extends RuntimeException {
        public ContactRefusedException(String message) {
            super(message);
        }
    }

    /** Kept apart so the patterns compile once. */
    final class Forms {
        static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");
        // E.164: a plus, a country code not starting with 0, at most 15 digits in all.
        static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

        private Forms() {
        }
    }
}
