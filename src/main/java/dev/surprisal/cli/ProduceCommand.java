package dev.surprisal.cli;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.input.InputFormat;
import dev.surprisal.input.InputSettings;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.session.LineSessions;
import dev.surprisal.stream.ScorerConfig;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

@Command(name = "produce", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar produce --file HDFS.log --session-regex 'blk_-?\\d+'", "  tail -F app.log | java -jar surprisal.jar produce --session-regex \\", "      'user=(\\w+)'"},

        description = "Publishes lines of text (stdin or a file) keyed by session: as TextEvents, or as text or JSON.")
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--topic", defaultValue = ScorerConfig.DEFAULT_INPUT_TOPIC,
            description = "Topic the TextEvents are published to.")
    String topic;

    @Option(names = "--file", description = "Read this file instead of stdin.")
    Path file;

    @ArgGroup(exclusive = true)
    SessionChoice session = new SessionChoice();

    static final class SessionChoice {
        @Option(names = "--session", description = "One session id for every line.")
        String fixed;

        @Option(names = "--session-column", description = "1-based column (split on --delimiter) holding the session id.")
        Integer column;

        @Option(names = "--session-regex", description = "Regex whose first group (or whole match) is the session id, "
                + "e.g. 'blk_-?\\d+' for HDFS logs.")
        Pattern regex;
    }

    @Option(names = "--text-column", description = "1-based column holding the text (default: the whole line).")
    Integer textColumn;

    @Option(names = "--delimiter", defaultValue = "\t", description = "Column delimiter (default: tab).")
    String delimiter;

    @Option(names = "--label", description = "Label added to every event, key=value (used by evaluation).")
    Map<String, String> labels = new HashMap<>();

    @Option(names = "--log-format", description = "The lines' layout in logparser's notation, for --window (the line's "
            + "time), --window-key and --label-field.")
    String logFormat;

    @Mixin
    WindowOptions windows;

    @Option(names = "--input-format", defaultValue = InputSettings.DEFAULT_FORMAT, description = "How the events are written, as the "
            + "scorer's input.format: avro (TextEvents through the registry), text (the line) or json (message, "
            + "@timestamp and labels); keyed by session either way.")
    String format;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> props = cluster.reachableClientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong sent = new AtomicLong();
        long skipped = 0;
        if (session.column != null && windows.window != null) {
            throw new IllegalArgumentException("--window keys its windows by --window-key or --session-regex, not "
                    + "--session-column");
        }
        LineSessions reading = windows.sessions(logFormat, session.regex);
        LineSessions.Line previous = null;
        InputFormat writing = InputFormat.parse(format);
        Serializer<TextEvent> values = switch (writing) {
            case AVRO -> AvroSerdes.value(TextEvent.class, cluster.registry(props)).serializer();
            case TEXT -> (t, e) -> e.getText().getBytes(StandardCharsets.UTF_8);
            case JSON -> (t, e) -> shipperJson(e);
            default -> throw new IllegalArgumentException("produce writes avro, text or json, not " + writing.id());
        };
        try (KafkaProducer<String, TextEvent> producer = new KafkaProducer<>(props, new StringSerializer(), values);
             BufferedReader in = file != null ? Files.newBufferedReader(file, StandardCharsets.UTF_8)
                     : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null && failure.get() == null; line = in.readLine()) {
                LineSessions.Line read = reading.read(line, session.fixed != null ? session.fixed : "default", previous);
                previous = read.time() != null ? read : previous;
                List<String> ids = session.column != null ? sessionsOf(line) : read.sessions();
                String text = textOf(line);
                Map<String, String> eventLabels = new HashMap<>(labels);
                if (read.anomalous() != null) {
                    eventLabels.putAll(AnomalyLabel.of(read.anomalous()));
                }
                if (ids.isEmpty() || text.isBlank()) {
                    skipped++;
                    continue;
                }
                // a line naming several sessions is an event of each
                for (String id : ids) {
                    TextEvent event = new TextEvent(UUID.randomUUID().toString(), id, text,
                            read.time() != null ? read.time() : Instant.now(), false,
                            eventLabels.isEmpty() ? null : Map.copyOf(eventLabels));
                    producer.send(new ProducerRecord<>(topic, id, event), (meta, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            sent.incrementAndGet();
                        }
                    });
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            spec.commandLine().getErr().println("publishing failed: " + failure.get().getMessage());
            return 1;
        }
        spec.commandLine().getErr().println(String.format("published %d events to %s%s", sent.get(), topic,
                skipped > 0 ? " (skipped " + skipped + " lines without a session or text)" : ""));
        return 0;
    }

    /** A line as a log shipper writes it: message, @timestamp, labels; the session is the record key. */
    private static byte[] shipperJson(TextEvent e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("@timestamp", e.getEventTime().toString());
        o.put("message", e.getText());
        if (e.getLabels() != null) {
            ObjectNode l = o.putObject("labels");
            e.getLabels().forEach(l::put);
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The session of a line by --session-column; the others come from {@link LineSessions}. */
    private List<String> sessionsOf(String line) {
        String id = column(line, session.column);
        return id == null ? List.of() : List.of(id);
    }

    private String textOf(String line) {
        if (textColumn == null) {
            return line;
        }
        String text = column(line, textColumn);
        return text == null ? "" : text;
    }

    private String column(String line, int oneBased) {
        String[] cols = line.split(Pattern.quote(delimiter), -1);
        return oneBased >= 1 && oneBased <= cols.length ? cols[oneBased - 1] : null;
    }
}
