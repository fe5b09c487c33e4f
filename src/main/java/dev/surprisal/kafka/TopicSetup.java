package dev.surprisal.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Makes sure the topics a command needs exist: creates the missing ones, or says which are missing. */
public final class TopicSetup {

    private TopicSetup() {
    }

    /** @return the topics that were created */
    public static List<String> ensure(Admin admin, List<NewTopic> topics, boolean create) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!create) {
                throw new ClusterException("missing topics " + missing.stream().map(NewTopic::name).toList()
                        + " and topic creation is off: create them or drop --no-create-topics", null);
            }
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new ClusterException("cannot create topic " + topic.name() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ClusterException("cannot list the cluster's topics within 30 s (" + e
                    + "): check bootstrap.servers and, for a secured cluster, security.protocol and sasl.* / ssl.* in --config", e);
        }
    }
}
