package dev.surprisal.drift;

import dev.surprisal.avro.TrainCommand;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a scorer watches its model on live traffic ({@link DriftWatch}): the summaries it
 * publishes, the bounds past which the traffic has drifted from what the model learned, and
 * whether drift that holds sends a fine-tune command by itself (off by default).
 */
public record DriftSettings(String topic, Duration interval, Duration window, long minEvents, double bitsRatio,
                             double flagRate, double unknownRate, Duration hold, boolean retrain, Duration cooldown,
                             double promotionMargin, boolean replay, boolean shadow, int shadowEvents,
                             Map<String, String> excludeLabels) {

    public static final String TOPIC = "health.topic";
    public static final String INTERVAL_MS = "health.interval.ms";
    public static final String WINDOW_MS = "health.window.ms";
    public static final String MIN_EVENTS = "health.min.events";
    public static final String DRIFT_BITS_RATIO = "health.drift.bits.ratio";
    public static final double DEFAULT_DRIFT_BITS_RATIO = 1.5;
    public static final String DRIFT_FLAG_RATE = "health.drift.flag.rate";
    public static final String DRIFT_UNKNOWN_RATE = "health.drift.unknown.rate";
    public static final String DRIFT_HOLD_MS = "health.drift.hold.ms";
    public static final String RETRAIN = "health.retrain.enabled";
    public static final String RETRAIN_COOLDOWN_MS = "health.retrain.cooldown.ms";
    public static final String RETRAIN_PROMOTION_MARGIN = "health.retrain.promotion.margin";
    public static final String RETRAIN_REPLAY = "health.retrain.replay";
    public static final String RETRAIN_SHADOW = "health.retrain.shadow";
    public static final String RETRAIN_SHADOW_EVENTS = "health.retrain.shadow.events";
    public static final String RETRAIN_EXCLUDE_LABELS = "health.retrain.exclude.labels";

    public static ConfigDef define(ConfigDef definition) {
        return definition
                .define(TOPIC, Type.STRING, "model-health", Importance.LOW,
                        "Topic of ModelHealth summaries, one per model version seen in the window, every interval.")
                .define(INTERVAL_MS, Type.LONG, Duration.ofMinutes(1).toMillis(), Range.atLeast(100), Importance.LOW,
                        "How often the live figures are computed, exported and published.")
                .define(WINDOW_MS, Type.LONG, Duration.ofMinutes(10).toMillis(), Range.atLeast(100), Importance.MEDIUM,
                        "The rolling window the live figures cover.")
                .define(MIN_EVENTS, Type.LONG, 200L, Range.atLeast(1), Importance.LOW,
                        "Fewer events than this in the window are too few to call drift.")
                .define(DRIFT_BITS_RATIO, Type.DOUBLE, DEFAULT_DRIFT_BITS_RATIO, Range.atLeast(1), Importance.MEDIUM,
                        "Drift when the window's mean bits per token exceeds this multiple of the held-out figure "
                        + "recorded at training.")
                .define(DRIFT_FLAG_RATE, Type.DOUBLE, 0.05, Range.between(0, 1), Importance.MEDIUM,
                        "Drift when more than this share of the window's events is flagged (calibration expects "
                        + "about 1% on normal traffic).")
                .define(DRIFT_UNKNOWN_RATE, Type.DOUBLE, 0.05, Range.between(0, 1), Importance.MEDIUM,
                        "Drift when more than this share of the window's tokens is unknown to the model (<unk> "
                        + "words, lines of no known template).")
                .define(DRIFT_HOLD_MS, Type.LONG, Duration.ofMinutes(5).toMillis(), Range.atLeast(0), Importance.MEDIUM,
                        "Drift must hold this long before it counts (and before it sends a command).")
                .define(RETRAIN, Type.BOOLEAN, false, Importance.MEDIUM,
                        "Send a TrainCommand (fine-tune on the input topic since the drift began, with the parent's "
                        + "replay sample) when drift has held for " + DRIFT_HOLD_MS + ". Off by default.")
                .define(RETRAIN_COOLDOWN_MS, Type.LONG, Duration.ofHours(1).toMillis(), Range.atLeast(0),
                        Importance.MEDIUM, "At most one automatic TrainCommand in this time (a new model needs time "
                        + "to be trained, tried and judged before drift is called again).")
                .define(RETRAIN_PROMOTION_MARGIN, Type.DOUBLE, commandDefault("promotionMargin"), Range.between(0, 1),
                        Importance.LOW,
                        "promotionMargin of the automatic TrainCommands.")
                .define(RETRAIN_REPLAY, Type.BOOLEAN, commandDefault("replayParentSample"), Importance.LOW,
                        "replayParentSample of the automatic TrainCommands: mix the parent's kept training sample into "
                        + "the fine-tune. Off only to measure what it prevents.")
                .define(RETRAIN_SHADOW, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Automatic fine-tunes that pass the trainer's checks are scored live in shadow beside the "
                        + "promoted model, and the trial decides (promotion policy SHADOW); false promotes them at once.")
                .define(RETRAIN_SHADOW_EVENTS, Type.INT, commandDefault("shadowEvents"), Range.atLeast(1), Importance.LOW,
                        "Events both models must score live before the shadow trial decides.")
                .define(RETRAIN_EXCLUDE_LABELS, Type.LIST, "", Importance.LOW,
                        "excludeLabels of the automatic TrainCommands, as name=value pairs (e.g. anomalous=1): events "
                        + "that upstream tools already labelled anomalous stay out of the fine-tune and its "
                        + "calibration, which would otherwise count them as normal.");
    }

    public static DriftSettings of(AbstractConfig config) {
        return new DriftSettings(config.getString(TOPIC), Duration.ofMillis(config.getLong(INTERVAL_MS)),
                Duration.ofMillis(config.getLong(WINDOW_MS)), config.getLong(MIN_EVENTS),
                config.getDouble(DRIFT_BITS_RATIO), config.getDouble(DRIFT_FLAG_RATE),
                config.getDouble(DRIFT_UNKNOWN_RATE), Duration.ofMillis(config.getLong(DRIFT_HOLD_MS)),
                config.getBoolean(RETRAIN), Duration.ofMillis(config.getLong(RETRAIN_COOLDOWN_MS)),
                config.getDouble(RETRAIN_PROMOTION_MARGIN), config.getBoolean(RETRAIN_REPLAY),
                config.getBoolean(RETRAIN_SHADOW), config.getInt(RETRAIN_SHADOW_EVENTS),
                labels(config.getList(RETRAIN_EXCLUDE_LABELS)));
    }

    private static Map<String, String> labels(List<String> pairs) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(RETRAIN_EXCLUDE_LABELS, pairs, "expected name=value pairs, got '" + pair + "'");
            }
            labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return Map.copyOf(labels);
    }

    /** A TrainCommand field's schema default: the command's contract is the one place these defaults live. */
    private static Object commandDefault(String field) {
        return TrainCommand.getClassSchema().getField(field).defaultVal();
    }
}
