package dev.surprisal.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A field of a JSON object named by a JSON pointer ({@code /a/b}) or a dotted path ({@code a.b}).
 * A dotted path also finds keys that hold dots themselves, as flattened ECS documents have
 * ({@code "host.name": ...}): the longest key present is taken at each level.
 */
final class JsonFields {

    private JsonFields() {
    }

    static JsonNode at(JsonNode root, String path) {
        if (path.startsWith("/")) {
            return root.at(path);
        }
        return at(root, path.split("\\."), 0);
    }

    private static JsonNode at(JsonNode node, String[] parts, int from) {
        if (from == parts.length) {
            return node;
        }
        if (!node.isObject()) {
            return MissingNode.getInstance();
        }
        for (int to = parts.length; to > from; to--) {
            JsonNode child = node.get(String.join(".", java.util.Arrays.copyOfRange(parts, from, to)));
            if (child != null) {
                JsonNode found = at(child, parts, to);
                if (!found.isMissingNode()) {
                    return found;
                }
            }
        }
        return MissingNode.getInstance();
    }

    /** A scalar as text (a number's digits); null for a missing, null or structured value. */
    static String scalar(JsonNode node) {
        return node == null || !node.isValueNode() || node.isNull() ? null : node.asText();
    }
}
