package dev.surprisal.stream;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import java.util.List;
import java.util.Map;

/** The topics the scorer reads and writes, as they should be created. */
public final class ScorerTopics {

    private ScorerTopics() {
    }

    /**
     * Input and scores share a partition count so a session's scores stay in order on one
     * partition; the side topics are low volume.
     */
    public static List<NewTopic> all(ScorerConfig config, int partitions, short replication) {
        // scores of a long event exceed the broker's 1 MB default message size
        Map<String, String> large = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                String.valueOf(config.outputMaxRecordBytes() + 64 * 1024));
        return List.of(
                new NewTopic(config.inputTopic(), partitions, replication),
                new NewTopic(config.outputTopic(), partitions, replication).configs(large),
                new NewTopic(config.anomaliesTopic(), partitions, replication).configs(large),
                new NewTopic(config.summariesTopic(), partitions, replication),
                new NewTopic(config.learnedTemplatesTopic(), 1, replication)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                newTemplateClaims(config, replication),
                new NewTopic(config.dlqTopic(), 1, replication)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(14L * 24 * 3600 * 1000))),
                new NewTopic(config.drift().topic(), 1, replication)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(30L * 24 * 3600 * 1000))));
    }

    /** The scorer's own topic of first lines of new templates: one partition, so one task decides each. */
    public static NewTopic newTemplateClaims(ScorerConfig config, short replication) {
        return new NewTopic(config.newTemplateClaimsTopic(), 1, replication)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(7L * 24 * 3600 * 1000)));
    }
}
