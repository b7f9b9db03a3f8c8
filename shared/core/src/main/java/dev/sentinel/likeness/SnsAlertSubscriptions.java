package dev.sentinel.likeness;

import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.InvalidParameterException;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.sns.model.SnsException;

/**
 * Subscriptions to the alerts topic {@link SnsLikenessAlerts} publishes on, one per registration, each with a filter
 * policy on the message attribute {@value SnsLikenessAlerts#REGISTRATION} so the contact hears of its own
 * registration only. Never logs the contact.
 */
public final class SnsAlertSubscriptions implements AlertSubscriptions {

    private final SnsClient sns;
    private final String topicArn;

    public SnsAlertSubscriptions(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public String subscribe(String registrationId, String contact) {
        Channel channel = AlertSubscriptions.channelOf(contact);
        if (channel == null) {
            throw new ContactRefusedException("contact must be an e-mail address, an E.164 phone number or an "
                    + "https:// URL");
        }
        String filter = "{\"" + SnsLikenessAlerts.REGISTRATION + "\":[\"" + registrationId + "\"]}";
        try {
            // ReturnSubscriptionArn: without it an e-mail or https subscription answers "pending confirmation",
            // and there would be nothing to unsubscribe at withdrawal.
            return sns.subscribe(b -> b.topicArn(topicArn).protocol(channel.protocol).endpoint(contact.trim())
                    .returnSubscriptionArn(true).attributes(Map.of("FilterPolicy", filter,
                            "FilterPolicyScope", "MessageAttributes"))).subscriptionArn();
        } catch (InvalidParameterException e) {
            throw new ContactRefusedException("the alerts service refused the contact as a " + channel.protocol
                    + " endpoint; nothing was kept");
        } catch (SnsException | SdkClientException e) {
            throw new LikenessUnavailableException("the contact could not be subscribed to alerts", e);
        }
    }

    @Override
    public void unsubscribe(String subscriptionArn) {
        try {
            sns.unsubscribe(b -> b.subscriptionArn(subscriptionArn));
        } catch (NotFoundException e) {
            // Already gone: the person unsubscribed from the confirmation or an alert.
        } catch (SnsException | SdkClientException e) {
            throw new LikenessUnavailableException("the alerts subscription could not be removed", e);
        }
    }
}
