package dev.sentinel.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How one CloudFormation property of a resource type is found in an emulator and, when its CloudFormation did not
 * set it, set with the service's own API. Both sides are compared in the template's shape, after {@code normalize}
 * (defaults filled in, order that does not matter removed).
 *
 * @param name      the property's name in the template
 * @param read      the property as the emulator holds it; empty when it holds none
 * @param apply     sets the declared value with the SDK; null when the service cannot change it after creation
 * @param normalize applied to both sides before they are compared
 */
record DeclaredProperty(String name, Function<Resource, Optional<JsonNode>> read, BiConsumer<Resource, JsonNode> apply,
                        UnaryOperator<JsonNode> normalize) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One deployed resource: its logical id, what CloudFormation named it, and the stack that resolves it. */
    record Resource(String logicalId, String physicalId, dev.sentinel.local.iam.DeployedStack stack) {
        JsonNode declared(String property) {
            return stack.property(logicalId, property);
        }
    }

    static DeclaredProperty of(String name, Function<Resource, Optional<JsonNode>> read,
                               BiConsumer<Resource, JsonNode> apply) {
        return new DeclaredProperty(name, read, apply, UnaryOperator.identity());
    }

    DeclaredProperty normalizedBy(UnaryOperator<JsonNode> newNormalize) {
        return new DeclaredProperty(name, read, apply, newNormalize);
    }

    /**
     * Whether two values say the same: scalars by their text (the template writes {@code "5"} and {@code true} where
     * an API answers {@code 5} and {@code "true"}), objects field by field, arrays in order.
     */
    static boolean same(JsonNode a, JsonNode b) {
        if (a.isContainerNode() != b.isContainerNode() || a.isArray() != b.isArray()) {
            return false;
        }
        if (!a.isContainerNode()) {
            return a.asText().equals(b.asText());
        }
        if (a.size() != b.size()) {
            return false;
        }
        if (a.isArray()) {
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = a.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!b.has(field.getKey()) || !same(field.getValue(), b.get(field.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A copy of an array sorted by the text of each element's {@code field} (or of the element). */
    static ArrayNode sortedBy(JsonNode array, String... fields) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        items.sort(Comparator.comparing(item -> {
            StringBuilder key = new StringBuilder();
            for (String field : fields) {
                key.append(item.path(field).isContainerNode() ? item.path(field).toString()
                        : item.path(field).asText()).append('\u0000');
            }
            return fields.length == 0 ? item.toString() : key.toString();
        }));
        ArrayNode sorted = JSON.createArrayNode();
        items.forEach(sorted::add);
        return sorted;
    }

    /** An object with {@code defaults} for the fields it lacks. */
    static ObjectNode withDefaults(JsonNode value, Map<String, Object> defaults) {
        ObjectNode copy = value.isObject() ? ((ObjectNode) value).deepCopy() : JSON.createObjectNode();
        defaults.forEach((field, fallback) -> {
            if (!copy.has(field)) {
                copy.set(field, JSON.valueToTree(fallback));
            }
        });
        return copy;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the emulator answered with a document that is not JSON: " + json, e);
        }
    }

    static String write(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
