package dev.surprisal.it;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.cli.Main;
import dev.surprisal.demo.TrafficGenerator;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.retraining.TrainerService;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.training.TrainingProgress;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code models train --wait} against a trainer service running on a real broker. */
@Tag("integration")
@Timeout(240)
@ExtendWith(EmbeddedClusterExtension.class)
class TrainerCliIT {

    @Test
    void aTrainCommandIsFollowedToItsOutcome(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String name = IsolatedScorer.unique("trainer-cli-it");
        String events = name + ".events";
        // the lifecycle topics are this test's own: other tests read the default ones with another registry
        Map<String, String> lifecycle = Map.of(ReleaseTopics.COMMANDS_TOPIC, name + ".trainer-commands",
                ReleaseTopics.STATUS_TOPIC, name + ".trainer-status", ReleaseTopics.RELEASES_TOPIC, name + ".releases",
                ReleaseTopics.FEEDBACK_TOPIC, name + ".feedback", ReleaseTopics.SHADOW_TOPIC, name + ".shadow");
        Path config = dir.resolve("client.properties");
        Files.write(config, lifecycle.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        TrainerConfig trainerConfig = new TrainerConfig(lifecycle);
        List<NewTopic> topics = new ArrayList<>(trainerConfig.releaseTopics().all((short) 1));
        topics.add(new NewTopic(events, 1, (short) 1));
        broker.createTopics(topics);
        Map<String, Object> props = Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        try (KafkaSchemaJournal journal = KafkaSchemaJournal.open(props, "_schemas_" + name);
             SchemaRegistryServer registry = SchemaRegistryServer.start(journal.registry(), "127.0.0.1", 0);
             TrainerService trainer = new TrainerService(props, journal.registry(), trainerConfig,
                     TrainingProgress.Listener.NONE)) {
            List<TextEvent> text = new ArrayList<>();
            List<List<String>> sessions = new TrafficGenerator(3, 0).normalSessions(30);
            for (int s = 0; s < sessions.size(); s++) {
                for (String line : sessions.get(s)) {
                    text.add(new TextEvent("e" + text.size(), "s" + s, line, Instant.now(), false, Map.of()));
                }
            }
            TestClients.produce(broker.bootstrapServers(), journal.registry(), events, text);
            AtomicBoolean stop = new AtomicBoolean();
            Thread running = new Thread(() -> trainer.run(stop::get), "trainer-cli-it");
            running.start();
            try {
                String[] cluster = {"--bootstrap-servers", broker.bootstrapServers(), "--schema-registry-url", registry.url(),
                    "--config", config.toString()};
                StringWriter out = new StringWriter();
                StringWriter failure = new StringWriter();
                int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(failure, true)).execute(concat(new String[] {
                        "models", "train", "--topic", events, "--tokenizer", "word", "--epochs", "2", "--hidden", "16",
                        "--keep-flagged", "--candidate", "--command-id", "cli-wait-" + events, "--wait", "--wait-timeout", "PT3M"}, cluster));
                assertEquals(0, exit, out + "\n" + failure);
                assertTrue(out.toString().contains("training: epoch 1 of at most 2"), out.toString());
                assertTrue(out.toString().contains("PUBLISHED v"), out.toString());

                StringWriter again = new StringWriter();
                int repeated = new CommandLine(new Main()).setOut(new PrintWriter(again, true)).execute(concat(new String[] {
                        "models", "train", "--topic", events, "--command-id", "cli-wait-" + events, "--wait"}, cluster));
                assertEquals(0, repeated, again.toString());
                assertTrue(again.toString().contains("DUPLICATE"), again.toString());

                StringWriter err = new StringWriter();
                int unknown = new CommandLine(new Main()).setErr(new PrintWriter(err, true)).execute(concat(new String[] {
                        "models", "train", "--topic", events, "--tokenizer", "bpe", "--wait"}, cluster));
                assertEquals(2, unknown);
                assertTrue(err.toString().contains("one of byte, word, whitespace, keys, template"), err.toString());
            } finally {
                stop.set(true);
                running.join(Duration.ofSeconds(60).toMillis());
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
