package dev.surprisal.input;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns an input record into the events it holds, each with its session, or into the reasons a part
 * of it cannot be read (the dead-letter codes). One reader per task or per replay: the text reader
 * remembers the last time it read, for continuation lines.
 */
public interface InputReader {

    String MISSING_KEY = "missing-key";
    String INVALID_UTF8 = "invalid-utf8";

    List<Read> read(RawRecord record);

    /** A reader for {@code settings}; {@code registry} serves the Avro format only (null elsewhere). */
    static InputReader of(InputSettings settings, SchemaRegistry registry, int maxCollectionItems) {
        return switch (settings.format()) {
            case AVRO -> new AvroInput(AvroSerdes.untrustedReader(TextEvent.class, registry, maxCollectionItems));
            case TEXT -> new TextInput(settings);
            case JSON -> new JsonInput(settings);
            case OTLP_PROTO, OTLP_JSON -> new OtlpInput(settings);
        };
    }

    /** The bytes as UTF-8, strictly: null when they are not. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
