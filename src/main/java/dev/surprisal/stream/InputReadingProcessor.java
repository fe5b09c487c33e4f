package dev.surprisal.stream;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.input.InputReader;
import dev.surprisal.input.RawRecord;
import dev.surprisal.input.Read;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads an input topic that is not the product's own Avro (text, JSON, OTLP logs): each record
 * becomes the events it holds, keyed by session, for the scorer (through the repartition topic when
 * the session is not the record key); what cannot be read goes to the dead-letter topic with its
 * reason, the rest of the record still scored. The events travel as JSON TextEvents, with where the
 * record came from in headers, so a later dead letter still names the input position.
 */
final class InputReadingProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String HEADER_TOPIC = "surprisal.input.topic";
    static final String HEADER_PARTITION = "surprisal.input.partition";
    static final String HEADER_OFFSET = "surprisal.input.offset";

    private final ScorerConfig config;
    private final InputReader reader;
    private final Serializer<TextEvent> events;
    private final ScorerMetrics metrics;
    private final String next;
    private final String dlq;
    private final PoisonGuard reading;
    private ProcessorContext<byte[], byte[]> context;

    InputReadingProcessor(ScorerConfig config, InputReader reader, Serializer<TextEvent> events, ScorerMetrics metrics,
                          String next, String dlq) {
        this.config = config;
        this.reader = reader;
        this.events = events;
        this.metrics = metrics;
        this.next = next;
        this.dlq = dlq;
        this.reading = PoisonGuard.reading(config.getString(ScorerConfig.APPLICATION_ID));
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        String topic = m == null ? config.inputTopic() : m.topic();
        int partition = m == null ? -1 : m.partition();
        long offset = m == null ? -1 : m.offset();
        PendingEvent source = new PendingEvent(record.key(), record.value(), record.timestamp(), record.headers(),
                topic, partition, offset, PendingEvent.NOT_CLAMPED);
        metrics.inputRecord();
        if (DeadLetter.unreadable(context, dlq, source, config, metrics)) {
            return;
        }
        if (reading.unfinished(source) > 0) {
            reading.end(source);
            deadLetter(source, "crashed-scorer", "reading this record stopped the stream thread before");
            return;
        }
        // a decoder bug that kills the thread must not kill its replacement on the same record, forever
        reading.begin(source);
        List<Read> reads = reader.read(new RawRecord(topic, partition, offset, record.key(), record.value(),
                record.timestamp()));
        reading.end(source);
        for (Read read : reads) {
            if (read.refused()) {
                deadLetter(source, read.code(), read.reason());
                continue;
            }
            Headers headers = new RecordHeaders(record.headers().toArray());
            if (partition >= 0) {
                headers.add(HEADER_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
                headers.add(HEADER_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
                headers.add(HEADER_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
            }
            context.forward(new Record<>(read.session().getBytes(StandardCharsets.UTF_8),
                    events.serialize(topic, read.event()), record.timestamp(), headers), next);
        }
    }

    private void deadLetter(PendingEvent source, String code, String reason) {
        DeadLetter.send(context, dlq, source, code, reason, config, metrics);
    }
}
