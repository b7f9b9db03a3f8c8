package dev.sentinel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.sentinel.json.Json;
import dev.sentinel.likeness.Registration;
import dev.sentinel.likeness.RegistrationChangedException;
import dev.sentinel.likeness.RegistrationStore;
import dev.sentinel.log.StructuredLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Registrations and enrolment counters in the likeness table (keys {@code pk}, {@code sk}):
 *
 * <pre>
 *   pk                       sk                 item
 *   registration#&lt;id&gt;       registration       a registration (revision-checked), with status and expiresAt
 *   enrolments#&lt;caller&gt;     &lt;yyyy-MM-dd&gt;       enrolments a caller made that day (caller fingerprinted)
 * </pre>
 *
 * A table of its own, so that only the likeness function can read consent records and face ids: no other
 * function's role names it.
 */
public final class DynamoLikenessStore implements RegistrationStore {

    private static final String PK = "pk";
    private static final String SK = "sk";
    private static final String DOCUMENT = "document";
    private static final String REGISTRATION = "registration#";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLikenessStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void create(Registration registration) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(registrationItem(registration))
                    .conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", PK)));
        } catch (ConditionalCheckFailedException e) {
            throw new RegistrationChangedException("registration " + registration.registrationId() + " exists already");
        }
    }

    @Override
    public Optional<Registration> find(String registrationId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(REGISTRATION + registrationId, "registration"))).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(read(item.get(DOCUMENT).s(), Registration.class));
    }

    @Override
    public void update(Registration current, Registration next) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(registrationItem(next))
                    .conditionExpression("#rev = :rev").expressionAttributeNames(Map.of("#rev", "revision"))
                    .expressionAttributeValues(Map.of(":rev", AttributeValue.fromN(
                            Long.toString(current.revision())))));
        } catch (ConditionalCheckFailedException e) {
            throw new RegistrationChangedException("registration " + current.registrationId() + " changed meanwhile; "
                    + "read it again and retry");
        }
    }

    @Override
    public List<Registration> activeExpiredBefore(Instant now) {
        List<Registration> due = new ArrayList<>();
        scan("begins_with(#pk, :prefix) AND #status = :active AND #expires < :now", Map.of("#pk", PK, "#status",
                "status", "#expires", "expiresAt"), Map.of(":prefix", AttributeValue.fromS(REGISTRATION), ":active",
                AttributeValue.fromS(Registration.ACTIVE), ":now", AttributeValue.fromN(Long.toString(
                        now.getEpochSecond()))), item -> due.add(read(item.get(DOCUMENT).s(), Registration.class)));
        return due;
    }

    @Override
    public boolean countEnrolment(String caller, String day, int limit) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(key("enrolments#" + StructuredLog.fingerprint(caller), day))
                    .updateExpression("ADD #count :one")
                    .conditionExpression("attribute_not_exists(#count) OR #count < :limit")
                    .expressionAttributeNames(Map.of("#count", "count"))
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"), ":limit",
                            AttributeValue.fromN(Integer.toString(limit)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private void scan(String filter, Map<String, String> names, Map<String, AttributeValue> values,
                      Consumer<Map<String, AttributeValue>> sink) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(b -> b.tableName(table).filterExpression(filter)
                    .expressionAttributeNames(names).expressionAttributeValues(values).exclusiveStartKey(from));
            page.items().forEach(sink);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    private Map<String, AttributeValue> registrationItem(Registration registration) {
        Map<String, AttributeValue> item = new HashMap<>(key(REGISTRATION + registration.registrationId(),
                "registration"));
        item.put(DOCUMENT, AttributeValue.fromS(write(registration)));
        item.put("revision", AttributeValue.fromN(Long.toString(registration.revision())));
        item.put("status", AttributeValue.fromS(registration.status()));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(registration.expiresAt().getEpochSecond())));
        return item;
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
    }

    private static String write(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return Json.mapper().readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName(), e);
        }
    }
}
