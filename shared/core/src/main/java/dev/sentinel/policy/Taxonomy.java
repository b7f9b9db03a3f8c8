package dev.sentinel.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Rekognition moderation label hierarchy (taxonomy v7), with the names of the older taxonomy v6 mapped onto
 * it, since adapters and stored results still carry them. Lookups ignore case, as Rekognition's own label names
 * have changed case between versions ("Swimwear Or Underwear").
 */
public final class Taxonomy {

    public static final String V7 = "rekognition-moderation-v7";
    private static final String RESOURCE = "/taxonomy/rekognition-moderation-v7.json";

    private record Node(String name, String parent, int level) { }

    private final Map<String, Node> nodes;
    private final Map<String, String> v6Aliases;

    private Taxonomy(Map<String, Node> nodes, Map<String, String> v6Aliases) {
        this.nodes = nodes;
        this.v6Aliases = v6Aliases;
    }

    private static final class Holder {
        private static final Taxonomy V7_TAXONOMY = load();
    }

    public static Taxonomy v7() {
        return Holder.V7_TAXONOMY;
    }

    private static Taxonomy load() {
        try (InputStream in = Taxonomy.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("taxonomy resource missing from the classpath: " + RESOURCE);
            }
            JsonNode root = Json.mapper().readTree(in);
            Map<String, Node> nodes = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> l1 = root.get("labels").fields(); l1.hasNext(); ) {
                Map.Entry<String, JsonNode> top = l1.next();
                put(nodes, new Node(top.getKey(), "", 1));
                for (Iterator<Map.Entry<String, JsonNode>> l2 = top.getValue().fields(); l2.hasNext(); ) {
                    Map.Entry<String, JsonNode> second = l2.next();
                    put(nodes, new Node(second.getKey(), top.getKey(), 2));
                    for (JsonNode third : second.getValue()) {
                        put(nodes, new Node(third.asText(), second.getKey(), 3));
                    }
                }
            }
            Map<String, String> aliases = new HashMap<>();
            root.get("v6Aliases").fields().forEachRemaining(e -> aliases.put(fold(e.getKey()), e.getValue().asText()));
            return new Taxonomy(Map.copyOf(nodes), Map.copyOf(aliases));
        } catch (IOException e) {
            throw new UncheckedIOException("taxonomy resource unreadable: " + RESOURCE, e);
        }
    }

    private static void put(Map<String, Node> nodes, Node node) {
        if (nodes.putIfAbsent(fold(node.name()), node) != null) {
            throw new IllegalStateException("taxonomy names a label twice: " + node.name());
        }
    }

    private static String fold(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    /** The v7 name for a label name, mapping a v6 name when needed; empty when the name is in neither taxonomy. */
    public Optional<String> canonicalName(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        Node node = nodes.get(fold(name));
        if (node != null) {
            return Optional.of(node.name());
        }
        String alias = v6Aliases.get(fold(name));
        return Optional.ofNullable(alias);
    }

    public boolean isV6Name(String name) {
        return name != null && !nodes.containsKey(fold(name)) && v6Aliases.containsKey(fold(name));
    }

    public boolean contains(String name) {
        return name != null && nodes.containsKey(fold(name));
    }

    public int level(String name) {
        Node node = nodes.get(fold(name));
        return node == null ? 0 : node.level();
    }

    /** The label itself followed by its ancestors up to level 1, all as v7 names; empty for an unknown name. */
    public List<String> selfAndAncestors(String name) {
        List<String> chain = new ArrayList<>(3);
        Optional<String> canonical = canonicalName(name);
        Node node = canonical.map(n -> nodes.get(fold(n))).orElse(null);
        while (node != null) {
            chain.add(node.name());
            node = node.parent().isEmpty() ? null : nodes.get(fold(node.parent()));
        }
        return chain;
    }
}
