package dev.surprisal.input;

import dev.surprisal.session.LineSessions;
import dev.surprisal.tokenize.LogFormat;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How to read an input topic that is not the product's own Avro: the format, where each part of an
 * event is, and where its session comes from. The same settings serve the scorer, {@code produce},
 * {@code consume}, {@code train} and {@code evaluate} on topics, and the trainer.
 *
 * @param lines for text: sessions from a regex or time windows, and labels, as for raw log files
 *              (null: the record key is the session)
 */
public record InputSettings(InputFormat format, String textField, List<String> sessionFields, Pattern sessionRegex,
                            String eventIdField, String timeField, String labelsField, LineSessions lines,
                            int maxEventsPerRecord) {

    public static final String FORMAT = "input.format";
    /** The default of {@link #FORMAT} (a constant: command-line options share it). */
    public static final String DEFAULT_FORMAT = "avro";
    public static final String TEXT_FIELD = "input.text.field";
    public static final String SESSION_FIELD = "input.session.field";
    public static final String SESSION_REGEX = "input.session.regex";
    public static final String EVENT_ID_FIELD = "input.event.id.field";
    public static final String TIME_FIELD = "input.time.field";
    public static final String LABELS_FIELD = "input.labels.field";
    public static final String LOG_FORMAT = "input.log.format";
    public static final String WINDOW_MS = "input.window.ms";
    public static final String WINDOW_SLIDE_MS = "input.window.slide.ms";
    public static final String WINDOW_KEY = "input.window.key";
    public static final String LABEL_REGEX = "input.label.regex";
    public static final String MAX_EVENTS = "input.max.events.per.record";

    /** Where an OTLP log's session is when no field is named: the service on its host. */
    public static final List<String> OTLP_SESSION = List.of("service.name", "host.name");

    public static ConfigDef define(ConfigDef def) {
        return def
                .define(FORMAT, Type.STRING, DEFAULT_FORMAT, Importance.HIGH,
                        "How input records are written: " + InputFormat.ids() + ". avro: TextEvents keyed by session "
                        + "through the schema registry; text: UTF-8 lines; json: an object per record (log shippers); "
                        + "otlp-proto / otlp-json: OpenTelemetry logs, many per record.")
                .define(TEXT_FIELD, Type.STRING, "", Importance.MEDIUM,
                        "json: the text's field, a JSON pointer (/a/b) or a dotted path (a.b); empty: the first of "
                        + String.join(", ", JsonInput.TEXT_FIELDS) + " present.")
                .define(SESSION_FIELD, Type.STRING, "", Importance.MEDIUM,
                        "json: the session's field (pointer or dotted path). otlp: attributes, comma-separated, of the "
                        + "log record or its resource (default service.name,host.name; then the trace id). Empty for "
                        + "json: the record key, else input.session.regex. A session that is not the key is re-keyed "
                        + "through one repartition topic.")
                .define(SESSION_REGEX, Type.STRING, "", Importance.MEDIUM,
                        "text and json: the session is this regex's first group (or whole match) in the text.")
                .define(EVENT_ID_FIELD, Type.STRING, "", Importance.LOW,
                        "json: the event id's field; empty (and for text and otlp): topic-partition@offset, with "
                        + "#index for the later events of one record, so a replay or resend is recognised.")
                .define(TIME_FIELD, Type.STRING, "", Importance.LOW,
                        "json: the event time's field: ISO-8601, or epoch seconds, milliseconds, micro- or "
                        + "nanoseconds by size; empty or unreadable: the record timestamp. otlp: timeUnixNano, else "
                        + "observedTimeUnixNano.")
                .define(LABELS_FIELD, Type.STRING, "", Importance.LOW,
                        "Labels for evaluation and training. json: an object of labels, or a value that is the "
                        + "'anomalous' label; otlp: an attribute; text: a field of input.log.format (loghub's first "
                        + "column). -, 0, false, no, normal and blank are normal, anything else anomalous.")
                .define(LOG_FORMAT, Type.STRING, "", Importance.MEDIUM,
                        "text: the lines' header layout, as for train --log-format (<Date> <Time> <Node> <Content>); "
                        + "needed for time windows and for label and key fields.")
                .define(WINDOW_MS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                        "text: sessions are time windows of this length (by the line's own time) per key; 0: none.")
                .define(WINDOW_SLIDE_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                        "text: sliding windows start this often (a line joins window/slide sessions); 0: fixed windows.")
                .define(WINDOW_KEY, Type.STRING, "", Importance.MEDIUM,
                        "text: the field of input.log.format that keys the windows (a node); empty: "
                        + "input.session.regex's capture, else the record key, else one key for the topic.")
                .define(LABEL_REGEX, Type.STRING, "", Importance.LOW, "text: a line that matches is anomalous.")
                .define(MAX_EVENTS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
                        "otlp: a record holding more log records than this goes to the dead-letter topic whole.");
    }

    /** The settings in {@code config} (a config defined with {@link #define}). */
    public static InputSettings of(AbstractConfig config) {
        InputFormat format;
        try {
            format = InputFormat.parse(config.getString(FORMAT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FORMAT, config.getString(FORMAT), e.getMessage());
        }
        Pattern regex = pattern(config, SESSION_REGEX);
        String fields = config.getString(SESSION_FIELD).strip();
        List<String> sessionFields = fields.isEmpty() ? (format.otlp() ? OTLP_SESSION : List.of())
                : List.of(fields.split("\\s*,\\s*"));
        LineSessions lines = null;
        if (format == InputFormat.TEXT) {
            String layout = config.getString(LOG_FORMAT).strip();
            long window = config.getLong(WINDOW_MS);
            long slide = config.getLong(WINDOW_SLIDE_MS);
            String key = config.getString(WINDOW_KEY).strip();
            String label = config.getString(LABELS_FIELD).strip();
            Pattern labelRegex = pattern(config, LABEL_REGEX);
            if (!layout.isEmpty() || regex != null || window > 0 || labelRegex != null) {
                try {
                    lines = new LineSessions(layout.isEmpty() ? null : LogFormat.parse(layout), regex,
                            key.isEmpty() ? null : key, window > 0 ? Duration.ofMillis(window) : null,
                            slide > 0 ? Duration.ofMillis(slide) : null, label.isEmpty() ? null : label, labelRegex);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage().replace("--log-format", LOG_FORMAT)
                            .replace("--window-slide", WINDOW_SLIDE_MS).replace("--window", WINDOW_MS));
                }
            }
        }
        return new InputSettings(format, config.getString(TEXT_FIELD).strip(), sessionFields, regex,
                config.getString(EVENT_ID_FIELD).strip(), config.getString(TIME_FIELD).strip(),
                config.getString(LABELS_FIELD).strip(), lines, config.getInt(MAX_EVENTS));
    }

    /** Settings from a plain map of {@code input.*} keys (the command line's). */
    public static InputSettings of(Map<String, ?> settings) {
        return of(new AbstractConfig(define(new ConfigDef()), settings, false));
    }

    public static InputSettings avro() {
        return of(Map.of());
    }

    /**
     * Whether the session is something other than the record key, so that the scorer must re-key the
     * events (through a repartition topic) to keep each session's state on one task.
     */
    public boolean rekeys() {
        return switch (format) {
            case AVRO -> false;
            case TEXT -> lines != null && (lines.sessionRegex() != null || lines.window() != null);
            case JSON -> !sessionFields.isEmpty() || sessionRegex != null;
            case OTLP_PROTO, OTLP_JSON -> true;
        };
    }

    private static Pattern pattern(AbstractConfig config, String key) {
        String value = config.getString(key);
        if (value.isBlank()) {
            return null;
        }
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(key, value, "not a regular expression: " + e.getDescription());
        }
    }
}
