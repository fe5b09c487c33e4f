package dev.surprisal.input;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.session.SessionIds;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object per record, as log shippers write: the text, session, id, time and labels at named
 * fields. Kafka Connect's JsonConverter envelope ({@code schema} and {@code payload}) is unwrapped,
 * and a bare JSON string is the text.
 */
final class JsonInput implements InputReader {

    /** Where shippers put the line: Vector, Filebeat and Logstash {@code message}, Fluent Bit {@code log}. */
    static final List<String> TEXT_FIELDS = List.of("message", "log", "msg", "body");
    static final int MAX_DEPTH = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build());

    private final InputSettings settings;
    /** The optional fields the settings name, by setting: a record without one is read all the same. */
    private final Map<String, String> optionalFields;
    private final FieldCheck fieldCheck;

    JsonInput(InputSettings settings) {
        this.settings = settings;
        this.optionalFields = Map.of(InputSettings.TIME_FIELD, settings.timeField(), InputSettings.EVENT_ID_FIELD,
                settings.eventIdField(), InputSettings.LABELS_FIELD, settings.labelsField());
        this.fieldCheck = new FieldCheck(optionalFields);
    }

    @Override
    public List<Read> read(RawRecord record) {
        JsonNode root;
        try {
            root = MAPPER.readTree(record.value());
        } catch (StreamConstraintsException e) {
            return List.of(e.getMessage().contains("nesting depth")
                    ? Read.refused("json-too-deep", "JSON nested deeper than " + MAX_DEPTH + " levels")
                    : Read.refused("json-limit", "a JSON number or name past the reader's limits: " + e.getMessage()));
        } catch (JsonProcessingException e) {
            // one code per fault whatever the format: bytes that are not UTF-8 are that, not bad JSON
            if (InputReader.utf8(record.value()) == null) {
                return List.of(Read.refused(INVALID_UTF8, "the value is not UTF-8 text"));
            }
            return List.of(Read.refused("invalid-json", "not JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            return List.of(Read.refused("invalid-json", "not JSON: " + e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return List.of(Read.refused("empty-text", "an empty value"));
        }
        if (root.isObject() && root.size() == 2 && root.has("schema") && root.has("payload")) {
            root = root.get("payload"); // Kafka Connect's JsonConverter with schemas.enable=true
        }
        String text;
        if (root.isTextual()) {
            text = root.asText();
        } else if (!root.isObject()) {
            return List.of(Read.refused("not-json-object", "a JSON " + root.getNodeType().name().toLowerCase()
                    + ", not an object or a string"));
        } else {
            JsonNode field = textField(root);
            if (field == null) {
                return List.of(Read.refused("missing-text", "no text field: " + (settings.textField().isEmpty()
                        ? "none of " + TEXT_FIELDS + " is present; set " + InputSettings.TEXT_FIELD
                        : settings.textField() + " is not present")));
            }
            if (!field.isTextual()) {
                return List.of(Read.refused("text-not-string", "the text field holds a JSON "
                        + field.getNodeType().name().toLowerCase() + ", not a string"));
            }
            text = field.asText();
        }
        List<String> sessions;
        try {
            sessions = sessions(root, text, record);
        } catch (IllegalArgumentException e) {
            return List.of(Read.refused(e.getMessage().startsWith("missing session key") ? MISSING_KEY
                    : "missing-session", e.getMessage()));
        }
        String id = root.isObject() && !settings.eventIdField().isEmpty()
                ? JsonFields.scalar(JsonFields.at(root, settings.eventIdField())) : null;
        Instant time = root.isObject() && !settings.timeField().isEmpty()
                ? EventTimes.of(JsonFields.at(root, settings.timeField())) : null;
        if (time == null) {
            time = Instant.ofEpochMilli(record.timestamp());
        }
        Map<String, String> labels = root.isObject() ? labels(root) : null;
        fieldCheck.record(present(root));
        List<Read> out = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            String eventId = id == null ? record.eventId(i) : i == 0 ? id : id + "#" + i;
            out.add(Read.of(new TextEvent(eventId, sessions.get(i), text, time, false,
                    labels == null ? null : new HashMap<>(labels))));
        }
        return out;
    }

    /** The settings whose optional field this record has. */
    private Set<String> present(JsonNode root) {
        Set<String> present = new HashSet<>();
        optionalFields.forEach((setting, field) -> {
            if (!field.isEmpty() && root.isObject() && !JsonFields.at(root, field).isMissingNode()) {
                present.add(setting);
            }
        });
        return present;
    }

    private JsonNode textField(JsonNode root) {
        if (!settings.textField().isEmpty()) {
            JsonNode n = JsonFields.at(root, settings.textField());
            return n.isMissingNode() ? null : n;
        }
        for (String name : TEXT_FIELDS) {
            if (root.has(name)) {
                return root.get(name);
            }
        }
        return null;
    }

    private List<String> sessions(JsonNode root, String text, RawRecord record) {
        if (!settings.sessionFields().isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (String path : settings.sessionFields()) {
                String v = root.isObject() ? JsonFields.scalar(JsonFields.at(root, path)) : null;
                if (v != null && !v.isEmpty()) {
                    parts.add(v);
                }
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("no session: " + String.join(", ", settings.sessionFields())
                        + " not present (" + InputSettings.SESSION_FIELD + ")");
            }
            return List.of(String.join("/", parts));
        }
        if (settings.sessionRegex() != null) {
            List<String> ids = SessionIds.of(settings.sessionRegex(), text);
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("no session: no match of " + InputSettings.SESSION_REGEX + " "
                        + settings.sessionRegex().pattern());
            }
            return ids;
        }
        String key = record.key() == null || record.key().length == 0 ? null : InputReader.utf8(record.key());
        if (key == null) {
            throw new IllegalArgumentException("missing session key: key records by session, or set "
                    + InputSettings.SESSION_FIELD + " or " + InputSettings.SESSION_REGEX);
        }
        return List.of(key);
    }

    private Map<String, String> labels(JsonNode root) {
        if (settings.labelsField().isEmpty()) {
            return null;
        }
        JsonNode node = JsonFields.at(root, settings.labelsField());
        if (node.isObject()) {
            Map<String, String> out = new HashMap<>();
            node.properties().forEach(e -> {
                String v = JsonFields.scalar(e.getValue());
                if (v != null) {
                    out.put(e.getKey(), v);
                }
            });
            return out;
        }
        return AnomalyLabel.of(JsonFields.scalar(node));
    }
}
