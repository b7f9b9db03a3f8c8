package dev.sentinel.local.emulator;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * {@code AWS::KMS::Key} properties. The key policy comes first: a key whose policy the service cannot read answers
 * no other call (moto 5.2.1's CloudFormation stores the policy as an object, after which its own DescribeKey fails).
 */
final class KeyProperties {

    private KeyProperties() {
    }

    static List<DeclaredProperty> key(KmsClient kms) {
        return List.of(
                DeclaredProperty.of("KeyPolicy", r -> {
                    try {
                        return Optional.of(DeclaredProperty.parse(kms.getKeyPolicy(b -> b.keyId(r.physicalId())
                                .policyName("default")).policy()));
                    } catch (SdkException | IllegalStateException unreadable) {
                        return Optional.of(TextNode.valueOf("unreadable: " + unreadable.getMessage()));
                    }
                }, (r, declared) -> kms.putKeyPolicy(b -> b.keyId(r.physicalId()).policyName("default")
                        .policy(DeclaredProperty.write(declared)))),
                DeclaredProperty.of("Description", r -> Optional.ofNullable(kms.describeKey(b -> b.keyId(
                        r.physicalId())).keyMetadata().description()).map(TextNode::valueOf),
                        (r, declared) -> kms.updateKeyDescription(b -> b.keyId(r.physicalId())
                                .description(declared.asText()))),
                DeclaredProperty.of("EnableKeyRotation", r -> Optional.of(BooleanNode.valueOf(Boolean.TRUE.equals(
                        kms.getKeyRotationStatus(b -> b.keyId(r.physicalId())).keyRotationEnabled()))),
                        (r, declared) -> {
                            if (declared.asBoolean()) {
                                kms.enableKeyRotation(b -> b.keyId(r.physicalId()));
                            } else {
                                kms.disableKeyRotation(b -> b.keyId(r.physicalId()));
                            }
                        }),
                DeclaredProperty.of("Enabled", r -> Optional.of(BooleanNode.valueOf(Boolean.TRUE.equals(
                        kms.describeKey(b -> b.keyId(r.physicalId())).keyMetadata().enabled()))),
                        (r, declared) -> {
                            if (declared.asBoolean()) {
                                kms.enableKey(b -> b.keyId(r.physicalId()));
                            } else {
                                kms.disableKey(b -> b.keyId(r.physicalId()));
                            }
                        }),
                DeclaredProperty.of("KeyUsage", r -> Optional.of(TextNode.valueOf(kms.describeKey(b -> b.keyId(
                        r.physicalId())).keyMetadata().keyUsageAsString())), null),
                DeclaredProperty.of("KeySpec", r -> Optional.of(TextNode.valueOf(kms.describeKey(b -> b.keyId(
                        r.physicalId())).keyMetadata().keySpecAsString())), null));
    }
}
