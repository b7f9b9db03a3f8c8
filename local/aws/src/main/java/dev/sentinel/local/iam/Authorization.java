package dev.sentinel.local.iam;

import java.util.Map;

/**
 * One permission a call needs: an IAM action on a resource of the stack, with the request's own condition keys.
 *
 * @param action      e.g. {@code s3:GetObjectVersion}
 * @param resourceArn the stack's ARN (deployed names), or the local name's ARN when it stands for nothing in the stack
 * @param resource    the template resource it belongs to (bucket, table, queue, key), or null: {@code *} or unbound
 * @param requestKeys condition keys the request itself carries ({@code s3:RequestObjectTag/moderation})
 * @param why         what in the call needs it, for messages ("copy source", "404 needs s3:ListBucket")
 * @param object      the local object an object-level S3 action applies to (its existing tags are condition keys),
 *                    or null
 */
public record Authorization(String action, String resourceArn, String resource, Map<String, String> requestKeys,
                            String why, ObjectAddress object) {

    /** A local S3 object version: bucket and key as the test named them. */
    public record ObjectAddress(String bucket, String key, String versionId) { }

    public Authorization {
        requestKeys = Map.copyOf(requestKeys);
    }

    @Override
    public String toString() {
        return action + " on " + resourceArn + (why.isEmpty() ? "" : " (" + why + ")");
    }
}
