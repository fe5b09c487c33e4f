package dev.surprisal.stream;

import dev.surprisal.input.InputReader;
import dev.surprisal.input.InputSettings;
import dev.surprisal.serde.JsonRecords;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A record whose reading killed the stream thread is dead-lettered by the replacement thread, not read again. */
class InputReadingProcessorTest {

    private final ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.APPLICATION_ID,
            "reader-" + UUID.randomUUID(), InputSettings.FORMAT, "json"));

    private InputReadingProcessor processor(MockProcessorContext<byte[], byte[]> context, InputReader reader) {
        InputReadingProcessor p = new InputReadingProcessor(config, reader, JsonRecords.serializer(),
                ScorerMetrics.none(), "next", "dlq");
        p.init(context);
        return p;
    }

    @Test
    void aRecordThatKilledTheThreadIsDeadLetteredByItsReplacement() {
        byte[] value = "{\"message\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Record<byte[], byte[]> record = new Record<>("k".getBytes(StandardCharsets.UTF_8), value, 0L);
        MockProcessorContext<byte[], byte[]> first = new MockProcessorContext<>();
        first.setRecordMetadata("in", 0, 7);
        InputReadingProcessor dying = processor(first, r -> {
            throw new StackOverflowError("a decoder bug");
        });
        assertThrows(StackOverflowError.class, () -> dying.process(record));

        MockProcessorContext<byte[], byte[]> second = new MockProcessorContext<>();
        second.setRecordMetadata("in", 0, 7);
        processor(second, InputReader.of(config.input(), null, 10)).process(record);
        assertEquals(1, second.forwarded().size());
        assertEquals("dlq", second.forwarded().get(0).childName().orElseThrow());
        Header code = second.forwarded().get(0).record().headers().lastHeader(DeadLetter.HEADER_CODE);
        assertEquals("crashed-scorer", new String(code.value(), StandardCharsets.UTF_8));

        MockProcessorContext<byte[], byte[]> third = new MockProcessorContext<>();
        third.setRecordMetadata("in", 0, 8);
        processor(third, InputReader.of(config.input(), null, 10)).process(record);
        assertEquals("next", third.forwarded().get(0).childName().orElseThrow(), "the next record reads as usual");
    }
}
