package dev.surprisal.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which other applications use a topic: the consumer groups with offsets on it, and the transactional
 * writers the brokers remember on it. A second scorer started with the default topics beside a running
 * one (the demo's, say) would write into the same scores topic, in JSON where the first writes Avro;
 * this lets it say so before it starts. Answers what the cluster lets it see, empty where ACLs refuse.
 */
public final class SharedTopics {

    /** Kafka Streams names its exactly-once producers {@code <application.id>-<process uuid>-<thread>}. */
    private static final Pattern STREAMS_PRODUCER = Pattern.compile(
            "(.+)-\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}-\\d+");

    private SharedTopics() {
    }

    /** Consumer groups other than {@code ownGroup} with a committed offset on {@code topic}. */
    public static Set<String> readers(Admin admin, String topic, String ownGroup, Duration wait) {
        try {
            List<TopicPartition> partitions = partitions(admin, topic, wait);
            Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
            for (GroupListing g : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!g.groupId().equals(ownGroup)) {
                    specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec().topicPartitions(partitions));
                }
            }
            if (specs.isEmpty()) {
                return Set.of();
            }
            Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = admin.listConsumerGroupOffsets(specs).all()
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return offsets.entrySet().stream()
                    .filter(e -> e.getValue().values().stream().anyMatch(Objects::nonNull))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        } catch (ExecutionException | TimeoutException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }

    /**
     * Applications other than {@code ownApplication} whose transactional producers the brokers still
     * remember on {@code topic} (for {@code producer.id.expiration.ms}, a day by default).
     */
    public static Set<String> writers(Admin admin, String topic, String ownApplication, Duration wait) {
        try {
            List<TopicPartition> partitions = partitions(admin, topic, wait);
            Set<Long> producers = new HashSet<>();
            admin.describeProducers(partitions).all().get(wait.toMillis(), TimeUnit.MILLISECONDS).values()
                    .forEach(p -> p.activeProducers().stream().map(ProducerState::producerId).forEach(producers::add));
            if (producers.isEmpty()) {
                return Set.of();
            }
            Set<String> writers = new TreeSet<>();
            for (TransactionListing t : admin.listTransactions().all().get(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                String application = application(t.transactionalId());
                if (producers.contains(t.producerId()) && !application.equals(ownApplication)) {
                    writers.add(application);
                }
            }
            return writers;
        } catch (ExecutionException | TimeoutException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }

    /** The application a transactional id belongs to: Kafka Streams' prefix, else the id itself. */
    static String application(String transactionalId) {
        Matcher m = STREAMS_PRODUCER.matcher(transactionalId);
        return m.matches() ? m.group(1) : transactionalId;
    }

    private static List<TopicPartition> partitions(Admin admin, String topic, Duration wait)
            throws ExecutionException, TimeoutException, InterruptedException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(wait.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }
}
