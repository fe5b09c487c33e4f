package dev.surprisal.feedback;

import dev.surprisal.avro.Feedback;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.TopicRange;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** Writes feedback to its topic (keyed by event id, else session id) and reads all of it back as labels. */
public final class FeedbackLog {

    private static final Logger LOG = LoggerFactory.getLogger(FeedbackLog.class);

    private FeedbackLog() {
    }

    /** A verdict is about an event or a session; an event's feedback names its session too when known. */
    public static String problem(Feedback f) {
        if (blank(f.getEventId()) && blank(f.getSessionId())) {
            return "feedback needs an eventId or a sessionId";
        }
        if (blank(f.getBy())) {
            return "feedback needs 'by': who says so";
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Sends and waits for the broker's acknowledgement. */
    public static void publish(Map<String, Object> clientProps, SchemaRegistry registry, String topic, Feedback f)
            throws InterruptedException {
        String problem = problem(f);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Map<String, Object> props = Clients.durableProducer(clientProps);
        try (KafkaProducer<String, Feedback> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.value(Feedback.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(topic, f.getEventId() != null ? f.getEventId() : f.getSessionId(), f))
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write feedback to " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** Every feedback on the topic, in offset order (none when there is no such topic); unreadable records are skipped. */
    public static FeedbackLabels read(Map<String, Object> clientProps, SchemaRegistry registry, String topic) {
        Deserializer<Feedback> reader = AvroSerdes.value(Feedback.class, registry).deserializer();
        List<ConsumerRecord<String, byte[]>> records;
        try {
            records = TopicRange.of(topic, null, null).read(clientProps);
        } catch (IllegalArgumentException noTopic) {
            return FeedbackLabels.NONE;
        }
        List<Feedback> all = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                Feedback f = reader.deserialize(topic, r.value());
                if (f != null) {
                    all.add(f);
                }
            } catch (SerializationException e) {
                LOG.warn("skipping unreadable feedback {} at offset {}: {}", r.key(), r.offset(), e.getMessage());
            }
        }
        return FeedbackLabels.of(all);
    }
}
