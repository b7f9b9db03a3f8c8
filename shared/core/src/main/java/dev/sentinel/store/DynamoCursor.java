package dev.sentinel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.sentinel.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A page's position as an opaque cursor for API callers: the string key where DynamoDB is to go on
 * ({@code ExclusiveStartKey}), as URL-safe base64 of JSON. A cursor is only taken back with exactly the key
 * attributes of its listing.
 */
final class DynamoCursor {

    private DynamoCursor() {
    }

    static String encode(Map<String, AttributeValue> key) {
        Map<String, String> plain = new HashMap<>();
        key.forEach((k, v) -> plain.put(k, v.s()));
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.mapper().writeValueAsBytes(plain));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return null for no cursor (the first page)
     * @throws IllegalArgumentException when the cursor is not one {@link #encode} made for a key of {@code names}
     */
    static Map<String, AttributeValue> decode(String cursor, Set<String> names) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(cursor);
            Map<String, String> plain = Json.mapper().readValue(new String(json, StandardCharsets.UTF_8),
                    new TypeReference<Map<String, String>>() { });
            if (plain == null || !plain.keySet().equals(names) || plain.values().stream().anyMatch(v -> v == null)) {
                throw new IllegalArgumentException("cursor is not valid");
            }
            Map<String, AttributeValue> key = new HashMap<>();
            plain.forEach((k, v) -> key.put(k, AttributeValue.fromS(v)));
            return key;
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw new IllegalArgumentException("cursor is not valid", e);
        }
    }
}
