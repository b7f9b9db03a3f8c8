package dev.sentinel.likeness;

import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.SnsException;

/**
 * Alerts on one SNS topic, each carrying the registration id as the message attribute {@value #REGISTRATION}: a
 * registration's contact channel (the person's e-mail or SMS, or their representative's endpoint) is subscribed
 * with a filter policy on it, so each subscriber hears of their own registration only. The message carries no
 * image, no link to one, no uploader and no similarity score.
 */
public final class SnsLikenessAlerts implements LikenessAlerts {

    public static final String REGISTRATION = "registrationId";

    private final SnsClient sns;
    private final String topicArn;

    public SnsLikenessAlerts(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void matched(String registrationId, String reference, Instant reviewDue) {
        String message = "An uploaded image with sexual content and a face that matches your likeness registration "
                + "was stopped before publication and is held for review by a person by " + reviewDue + ". It has "
                + "not been published. If it shows you, you or your representative can file a notice quoting "
                + "reference " + reference + ". This message deliberately contains no image and no link to one.";
        try {
            sns.publish(b -> b.topicArn(topicArn).subject("An image that may show you is held for review")
                    .message(message).messageAttributes(Map.of(REGISTRATION, MessageAttributeValue.builder()
                            .dataType("String").stringValue(registrationId).build())));
        } catch (SnsException | SdkClientException e) {
            throw new LikenessUnavailableException("the likeness alert could not be published", e);
        }
    }
}
