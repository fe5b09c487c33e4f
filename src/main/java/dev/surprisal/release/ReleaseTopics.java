package dev.surprisal.release;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import java.util.List;
import java.util.Map;

/** Topics of the model lifecycle: commands to the trainer, its status, and model releases. */
public final class ReleaseTopics {

    public static final String COMMANDS = "trainer-commands";
    public static final String STATUS = "trainer-status";
    public static final String RELEASES = "model-releases";
    /** A release carries its artifact; 32 MB leaves room for models far larger than the defaults (1.6 MB at H256). */
    public static final int MAX_RELEASE_BYTES = 32 * 1024 * 1024;

    private ReleaseTopics() {
    }

    public static List<NewTopic> all(short replication) {
        return List.of(
                new NewTopic(COMMANDS, 1, replication),
                new NewTopic(STATUS, 1, replication),
                new NewTopic(RELEASES, 1, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RELEASE_BYTES))));
    }
}
