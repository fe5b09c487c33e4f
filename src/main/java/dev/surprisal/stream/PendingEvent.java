package dev.surprisal.stream;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An input record waiting for its batch, kept as it arrived (key, value, timestamp, headers) with
 * where it came from, so that its score or its dead letter looks as if it had been scored at once.
 * {@code clampedFrom} is the record's own timestamp when it was too far in the future and
 * {@code timestamp} is the scorer's limit instead; otherwise {@link #NOT_CLAMPED}.
 */
record PendingEvent(byte[] key, byte[] value, long timestamp, Headers headers, String topic, int partition,
                    long offset, long clampedFrom) {

    static final long NOT_CLAMPED = Long.MIN_VALUE;

    /**
     * The record as it waits for scoring. A timestamp too far ahead of this scorer's wall clock is
     * replaced by the clock's limit and the original kept: the broker would refuse outputs stamped
     * over an hour ahead, and the session's idle clock must not jump.
     */
    static PendingEvent arrived(Record<byte[], byte[]> record, ProcessorContext<?, ?> context, long maxFutureMs) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        long latest = context.currentSystemTimeMs() + maxFutureMs;
        long timestamp = Math.min(record.timestamp(), latest);
        // after a repartition this is the repartition topic's position, one per event (an OTLP record's
        // events share their input's): the crash guards key on it; a dead letter names the input's
        return new PendingEvent(record.key(), record.value(), timestamp, record.headers(),
                m == null ? "" : m.topic(), m == null ? -1 : m.partition(), m == null ? -1 : m.offset(),
                record.timestamp() > latest ? record.timestamp() : PendingEvent.NOT_CLAMPED);
    }

    /** 2 added clampedFrom; format-1 records read as not clamped. */
    private static final byte FORMAT = 2;
    private static final byte FORMAT_UNCLAMPED = 1;

    /** Bytes of key, value and headers: what the record weighs on a topic. */
    int size() {
        int n = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }

    static Serde<PendingEvent> serde() {
        return Serdes.serdeFrom(new PendingSerializer(), new PendingDeserializer());
    }

    private static final class PendingSerializer implements Serializer<PendingEvent> {
        @Override
        public byte[] serialize(String topic, PendingEvent e) {
            if (e == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(e.value().length + e.key().length + 64);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                writeBytes(out, e.key());
                writeBytes(out, e.value());
                out.writeLong(e.timestamp());
                out.writeUTF(e.topic());
                out.writeInt(e.partition());
                out.writeLong(e.offset());
                out.writeLong(e.clampedFrom());
                Header[] headers = e.headers().toArray();
                out.writeInt(headers.length);
                for (Header h : headers) {
                    out.writeUTF(h.key());
                    writeBytes(out, h.value());
                }
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
            return bytes.toByteArray();
        }

        private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
            if (b == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(b.length);
                out.write(b);
            }
        }
    }

    private static final class PendingDeserializer implements Deserializer<PendingEvent> {
        @Override
        public PendingEvent deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                byte format = in.readByte();
                if (format != FORMAT && format != FORMAT_UNCLAMPED) {
                    throw new SerializationException("unknown pending-event format " + format);
                }
                byte[] key = readBytes(in);
                byte[] value = readBytes(in);
                long timestamp = in.readLong();
                String sourceTopic = in.readUTF();
                int partition = in.readInt();
                long offset = in.readLong();
                long clampedFrom = format == FORMAT ? in.readLong() : NOT_CLAMPED;
                int count = in.readInt();
                Headers headers = new RecordHeaders();
                for (int i = 0; i < count; i++) {
                    headers.add(in.readUTF(), readBytes(in));
                }
                return new PendingEvent(key, value, timestamp, headers, sourceTopic, partition, offset, clampedFrom);
            } catch (IOException e) {
                throw new SerializationException("truncated pending event", e);
            }
        }

        private static byte[] readBytes(DataInputStream in) throws IOException {
            int length = in.readInt();
            return length < 0 ? null : in.readNBytes(length);
        }
    }
}
