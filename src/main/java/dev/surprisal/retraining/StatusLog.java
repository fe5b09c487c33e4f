package dev.surprisal.retraining;

import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.LogReader;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The trainer's memory of its commands, kept on the status topic: every command's last status is
 * written there before the trainer moves on, and read back at start, so a command id is processed
 * once across restarts, and one left in progress by a dead trainer is reported as failed.
 */
final class StatusLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusLog.class);
    private static final EnumSet<TrainerState> FINAL = EnumSet.of(TrainerState.PUBLISHED, TrainerState.FAILED,
            TrainerState.INVALID);

    private final String topic;
    private final KafkaProducer<String, TrainerStatus> producer;
    private final Map<String, TrainerStatus> outcomes = new HashMap<>();

    StatusLog(Map<String, Object> clientProps, SchemaRegistry registry, String topic) {
        this.topic = topic;
        Map<String, Object> props = Clients.durableProducer(clientProps);
        this.producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.value(TrainerStatus.class, registry).serializer());
    }

    /** Reads every command's last status; one left in progress means the trainer died during it. */
    void recover(Map<String, Object> clientProps, SchemaRegistry registry) {
        Deserializer<TrainerStatus> reader = AvroSerdes.value(TrainerStatus.class, registry).deserializer();
        LogReader.readToEnd(clientProps, Map.of(), topic, new StringDeserializer(), new ByteArrayDeserializer(),
                Duration.ofSeconds(60), r -> {
                    try {
                        TrainerStatus s = reader.deserialize(r.topic(), r.value());
                        if (s.getState() != TrainerState.DUPLICATE && s.getState() != TrainerState.RELEASE_REJECTED) {
                            outcomes.put(s.getCommandId(), s);
                        }
                    } catch (SerializationException e) {
                        LOG.warn("unreadable record on {} at offset {}", r.topic(), r.offset());
                    }
                });
        outcomes.values().stream().filter(s -> !FINAL.contains(s.getState())).toList().forEach(s ->
                publish(status(s.getCommandId(), TrainerState.FAILED,
                        "the trainer stopped while this command was " + s.getState().name().toLowerCase(Locale.ROOT)
                                + "; nothing was published. Send the command again with a new id to retry.")));
    }

    /** The last status recorded for a command, or null for a command never seen. */
    TrainerStatus outcome(String commandId) {
        return outcomes.get(commandId);
    }

    /** Records and writes a command's status; returns it. */
    TrainerStatus publish(TrainerStatus s) {
        outcomes.put(s.getCommandId(), s);
        publishOnly(s);
        if (FINAL.contains(s.getState())) {
            LOG.info("command {}: {} {}", s.getCommandId(), s.getState(), s.getMessage());
        }
        return s;
    }

    /** Writes a status without making it the command's outcome (an answer to a repeated command). */
    void publishOnly(TrainerStatus s) {
        sendAndWait(producer, new ProducerRecord<>(topic, s.getCommandId(), s));
    }

    static TrainerStatus status(String commandId, TrainerState state, String message) {
        return TrainerStatus.newBuilder().setCommandId(commandId).setState(state).setMessage(message)
                .setTime(Instant.now()).build();
    }

    /** Status and releases are written synchronously: the trainer moves on only once they are stored. */
    static <V> void sendAndWait(KafkaProducer<String, V> producer, ProducerRecord<String, V> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + record.topic(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
