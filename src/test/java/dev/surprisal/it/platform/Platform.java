package dev.surprisal.it.platform;

import dev.surprisal.kafka.TopicSetup;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;

/** A Kafka cluster with a schema registry that the integration contract runs against. */
public interface Platform {

    String bootstrapServers();

    String registryUrl();

    default void createTopics(List<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            TopicSetup.ensure(admin, topics, true);
        }
    }
}
