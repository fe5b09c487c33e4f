package dev.surprisal.retraining;

import dev.surprisal.config.DefaultTopics;
import dev.surprisal.config.Precedence;
import dev.surprisal.input.InputSettings;
import dev.surprisal.release.ReleaseTopics;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.time.Duration;
import java.util.Map;

/**
 * The trainer's settings, beside its cluster connection: the model-lifecycle topics, shared with
 * the scorer, and where the scorer's flagged events are, for commands that leave them out. From the
 * environment as {@code SURPRISAL_*}, like the scorer's.
 */
public final class TrainerConfig extends AbstractConfig {

    public static final String ANOMALIES_TOPIC = "anomalies.topic";
    public static final String OUTPUT_TOPIC = "output.topic";
    public static final String TIME_BUDGET_MS = "trainer.time.budget.ms";
    public static final String MAX_EVENTS = "trainer.max.events";

    public static final ConfigDef DEFINITION = InputSettings.define(ReleaseTopics.define(new ConfigDef()))
            .define(ANOMALIES_TOPIC, ConfigDef.Type.STRING, DefaultTopics.ANOMALIES, ConfigDef.Importance.MEDIUM,
                    "Where the scorer writes flagged events: commands with excludeFlagged leave them out.")
            .define(OUTPUT_TOPIC, ConfigDef.Type.STRING, DefaultTopics.SCORES, ConfigDef.Importance.LOW,
                    "Where the scorer writes its scores: shadow trials compare a candidate's with them.")
            .define(TIME_BUDGET_MS, ConfigDef.Type.LONG, Duration.ofHours(2).toMillis(), ConfigDef.Range.atLeast(0),
                    ConfigDef.Importance.MEDIUM, "How long a command may train when it names no time budget: then "
                            + "training stops and keeps its best epoch, so that one large range does not hold up the "
                            + "commands behind it (0: no limit).")
            .define(MAX_EVENTS, ConfigDef.Type.LONG, 1_000_000L, ConfigDef.Range.atLeast(1), ConfigDef.Importance.MEDIUM,
                    "A command's range that spans more offsets is read from its newest this many on: the trainer "
                            + "holds what it reads in memory.");

    public TrainerConfig(Map<?, ?> originals) {
        super(DEFINITION, originals, false);
    }

    /** Defaults, then {@code SURPRISAL_*} environment variables, then {@code overrides}. */
    public static TrainerConfig fromEnvironment(Map<String, String> env, Map<String, ?> overrides) {
        return new TrainerConfig(Precedence.merged(DEFINITION.names(), Map.of(), env, Map.of(), overrides));
    }

    public ReleaseTopics releaseTopics() {
        return ReleaseTopics.of(this);
    }

    public String outputTopic() {
        return getString(OUTPUT_TOPIC);
    }

    /** How the topics that commands name are written: the scorers' {@code input.*} settings. */
    public InputSettings input() {
        return InputSettings.of(this);
    }

    public long maxEvents() {
        return getLong(MAX_EVENTS);
    }

    public Duration timeBudget() {
        return Duration.ofMillis(getLong(TIME_BUDGET_MS));
    }

    public String anomaliesTopic() {
        return getString(ANOMALIES_TOPIC);
    }
}
