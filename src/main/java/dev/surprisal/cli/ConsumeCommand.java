package dev.surprisal.cli;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.config.DefaultTopics;
import dev.surprisal.config.Environment;
import dev.surprisal.demo.ConsoleRenderer;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Reachability;
import dev.surprisal.kafka.SkipUnreadable;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroJson;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.stream.ScorerConfig;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "consume", mixinStandardHelpOptions = true,
        footer = {"%nExample:", "  java -jar surprisal.jar consume --topic text-anomalies --from-beginning \\", "      --output jsonl"},

        description = "Tails scored events (committed only; Avro or JSON as the scorer writes them), readably or as "
                + "JSON lines.")
final class ConsumeCommand implements Callable<Integer> {

    enum Output { table, jsonl }

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--topic", defaultValue = DefaultTopics.SCORES,
            description = DefaultTopics.SCORES + " or " + DefaultTopics.ANOMALIES + ".")
    String topic;

    @Option(names = "--output", defaultValue = "table", description = "table (the text coloured by surprisal; a "
            + "template model's line with its values marked) or jsonl (one ScoredEvent as JSON per line).")
    Output output;

    @Option(names = "--from-beginning", description = "Start at the earliest offset instead of the end.")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "0", description = "Exit after this many events (0: no limit).")
    long max;

    @Option(names = "--idle-timeout-ms", defaultValue = "0",
            description = "Exit after this long without a new event, counted from when partitions are assigned "
                    + "(0: never).")
    long idleTimeoutMs;

    @Option(names = "--group", description = "Consumer group (default: a new one for every run).")
    String group;

    @Override
    public Integer call() {
        Map<String, Object> props = cluster.reachableClientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group != null ? group : "surprisal-consume-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // reading never creates a topic
        ConsoleRenderer renderer = new ConsoleRenderer(Environment.colourTerminal(), false);
        long seen = 0;
        long lastEvent = System.nanoTime();
        // a registry given is checked at once (wrong settings end the command with one line); none given, JSON
        // scores (output.format=json) need none, and the default URL is tried at the first Avro record
        SchemaRegistry given = cluster.registryConfigured() ? cluster.registry(props) : null;
        Deserializer<ScoredEvent> avro = new Deserializer<>() {
            private Deserializer<ScoredEvent> reader;

            @Override
            public ScoredEvent deserialize(String topic, byte[] data) {
                if (reader == null) {
                    reader = AvroSerdes.value(ScoredEvent.class, given != null ? given : cluster.registry(props))
                            .deserializer();
                }
                return reader.deserialize(topic, data);
            }
        };
        Deserializer<ScoredEvent> scores = SkipUnreadable.of(JsonRecords.orAvro(ScoredEvent.class, avro),
                "a ScoredEvent (Avro or JSON)");
        try (ShutdownSignal shutdown = new ShutdownSignal();
             KafkaConsumer<String, byte[]> consumer = Clients.readCommitted(props, new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            Set<String> topics = consumer.listTopics(Reachability.WAIT).keySet();
            if (!topics.contains(topic)) {
                spec.commandLine().getErr().println("no topic " + topic + " at " + props.get(ScorerConfig.BOOTSTRAP_SERVERS)
                        + " (its topics: " + topics.stream().filter(t -> !t.startsWith("__")).sorted()
                        .collect(Collectors.joining(", ")) + ")");
                return 1;
            }
            consumer.subscribe(List.of(topic));
            while (!shutdown.requested() && (max == 0 || seen < max)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    ScoredEvent e = scores.deserialize(r.topic(), r.value());
                    if (e == null) {
                        continue;
                    }
                    spec.commandLine().getOut().print(output == Output.jsonl ? AvroJson.toJson(e) + "\n" : renderer.render(e));
                    lastEvent = System.nanoTime();
                    if (++seen == max) {
                        break;
                    }
                }
                spec.commandLine().getOut().flush();
                if (consumer.assignment().isEmpty()) {
                    lastEvent = System.nanoTime(); // idle is counted from when there is something to read
                }
                if (idleTimeoutMs > 0 && System.nanoTime() - lastEvent > idleTimeoutMs * 1_000_000) {
                    break;
                }
            }
        }
        return 0;
    }
}
