package dev.surprisal.release;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;

import java.util.List;
import java.util.Map;

/**
 * Topics of the model lifecycle: commands to the trainer, its status, model releases, and the
 * feedback that training and evaluation take as labels. Their
 * names are settings of the scorer and the trainer alike ({@link #define}), so that several model
 * lines, or several teams, can share a cluster.
 */
public record ReleaseTopics(String commands, String status, String releases, String feedback, String shadow) {

    public static final String COMMANDS_TOPIC = "trainer.commands.topic";
    public static final String STATUS_TOPIC = "trainer.status.topic";
    public static final String RELEASES_TOPIC = "releases.topic";
    public static final String FEEDBACK_TOPIC = "feedback.topic";
    public static final String SHADOW_TOPIC = "shadow.topic";
    public static final ReleaseTopics DEFAULT = new ReleaseTopics("trainer-commands", "trainer-status", "model-releases",
            "feedback", "model-shadow");
    /** A release carries its artifact; 32 MB leaves room for models far larger than the defaults (1.6 MB at H256). */
    public static final int MAX_RELEASE_BYTES = 32 * 1024 * 1024;

    /** Adds the topic settings to a configuration's definition. */
    public static ConfigDef define(ConfigDef definition) {
        return definition
                .define(COMMANDS_TOPIC, ConfigDef.Type.STRING, DEFAULT.commands(), ConfigDef.Importance.LOW,
                        "Topic of TrainCommands, read by the trainer.")
                .define(STATUS_TOPIC, ConfigDef.Type.STRING, DEFAULT.status(), ConfigDef.Importance.LOW,
                        "Topic of TrainerStatus: the trainer's progress, and scorers refusing a release.")
                .define(RELEASES_TOPIC, ConfigDef.Type.STRING, DEFAULT.releases(), ConfigDef.Importance.LOW,
                        "Compacted topic of ModelReleases, which scorers follow.")
                .define(FEEDBACK_TOPIC, ConfigDef.Type.STRING, DEFAULT.feedback(), ConfigDef.Importance.LOW,
                        "Topic of Feedback: events and sessions marked normal or anomalous by operators and tools.")
                .define(SHADOW_TOPIC, ConfigDef.Type.STRING, DEFAULT.shadow(), ConfigDef.Importance.LOW,
                        "Compacted topic of ShadowTrials: candidates scored live beside the promoted model.");
    }

    /** The topics a configuration built with {@link #define} names. */
    public static ReleaseTopics of(AbstractConfig config) {
        return new ReleaseTopics(config.getString(COMMANDS_TOPIC), config.getString(STATUS_TOPIC),
                config.getString(RELEASES_TOPIC), config.getString(FEEDBACK_TOPIC), config.getString(SHADOW_TOPIC));
    }

    public List<NewTopic> all(short replication) {
        return List.of(
                new NewTopic(commands, 1, replication),
                new NewTopic(status, 1, replication),
                new NewTopic(releases, 1, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RELEASE_BYTES))),
                // labels are worth keeping as long as the text they judge
                new NewTopic(feedback, 1, replication).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")),
                new NewTopic(shadow, 1, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    }
}
