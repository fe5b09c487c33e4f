package dev.surprisal.serde;

import org.apache.avro.Schema;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Walks Avro binary data against its writer schema without building anything, so that a record
 * whose declared lengths or counts could not fit in its own bytes, or that exceed the limits, is
 * refused before a decoder allocates for it. Avro's decoder sizes a string's buffer from the length
 * it reads: 30 bytes declaring 2,000,000,000 would ask the heap for 2 GB. Strings must also be
 * valid UTF-8, which Avro would otherwise replace silently.
 */
final class WireCheck {

    /** Limits beyond the data's own size. */
    record Limits(int maxStringBytes, int maxCollectionItems) {
        static final Limits DEFAULT = new Limits(Integer.MAX_VALUE, 10_000);
    }

    private final byte[] data;
    private final int end;
    private final Limits limits;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private int pos;
    private long items;

    private WireCheck(byte[] data, int offset, Limits limits) {
        this.data = data;
        this.pos = offset;
        this.end = data.length;
        this.limits = limits;
    }

    /** Checks {@code data[offset..]} as one datum of {@code schema}, and that nothing follows it. */
    static void check(Schema schema, byte[] data, int offset, Limits limits) {
        WireCheck c = new WireCheck(data, offset, limits);
        c.datum(schema, 0);
        if (c.pos != c.end) {
            throw new InvalidRecordException(InvalidRecordException.MALFORMED,
                    (c.end - c.pos) + " trailing bytes after the record");
        }
    }

    private void datum(Schema schema, int depth) {
        if (depth > 64) {
            throw malformed("nested deeper than 64 levels");
        }
        switch (schema.getType()) {
            case NULL -> { }
            case BOOLEAN -> skip(1);
            case INT, LONG, ENUM -> varLong();
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case FIXED -> skip(schema.getFixedSize());
            case BYTES -> skip(length("bytes"));
            case STRING -> string();
            case RECORD -> {
                for (Schema.Field f : schema.getFields()) {
                    datum(f.schema(), depth + 1);
                }
            }
            case UNION -> {
                long branch = varLong();
                if (branch < 0 || branch >= schema.getTypes().size()) {
                    throw malformed("union branch " + branch + " of " + schema.getTypes().size());
                }
                datum(schema.getTypes().get((int) branch), depth + 1);
            }
            case ARRAY -> blocks(schema.getElementType(), false, depth);
            case MAP -> blocks(schema.getValueType(), true, depth);
        }
    }

    private void blocks(Schema element, boolean map, int depth) {
        while (true) {
            long count = varLong();
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                varLong(); // the block's size in bytes, which a reader may use to skip it
            }
            items += count;
            if (items > limits.maxCollectionItems()) {
                throw new InvalidRecordException(InvalidRecordException.TOO_MANY_ITEMS, "a collection of "
                        + items + " or more items, limit " + limits.maxCollectionItems());
            }
            // an item of a non-empty type takes at least one byte: a count beyond the bytes left is a lie
            if (count > end - pos && minimumSize(element) > 0) {
                throw malformed("a block declares " + count + " items with " + (end - pos) + " bytes left");
            }
            for (long i = 0; i < count; i++) {
                if (map) {
                    string();
                }
                datum(element, depth + 1);
            }
        }
    }

    private static int minimumSize(Schema s) {
        return switch (s.getType()) {
            case NULL -> 0;
            case FIXED -> s.getFixedSize();
            case RECORD -> s.getFields().stream().mapToInt(f -> minimumSize(f.schema())).sum();
            default -> 1;
        };
    }

    private void string() {
        int length = length("string");
        if (length > limits.maxStringBytes()) {
            throw new InvalidRecordException(InvalidRecordException.TOO_LARGE,
                    "a string of " + length + " bytes, limit " + limits.maxStringBytes());
        }
        try {
            utf8.reset().decode(ByteBuffer.wrap(data, pos, length));
        } catch (CharacterCodingException e) {
            throw new InvalidRecordException(InvalidRecordException.INVALID_UTF8,
                    "a string that is not valid UTF-8 at byte " + pos);
        }
        pos += length;
    }

    /** A declared length, checked against the bytes that are actually there. */
    private int length(String what) {
        long length = varLong();
        if (length < 0 || length > end - pos) {
            throw malformed(what + " declares " + length + " bytes with " + (end - pos) + " left");
        }
        return (int) length;
    }

    private void skip(int n) {
        if (n > end - pos) {
            throw malformed("truncated: " + n + " bytes needed, " + (end - pos) + " left");
        }
        pos += n;
    }

    /** A zig-zag varint of at most 10 bytes, decoded. */
    private long varLong() {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw malformed("truncated inside a number");
            }
            int b = data[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw malformed("a number longer than 10 bytes");
    }

    private static InvalidRecordException malformed(String message) {
        return new InvalidRecordException(InvalidRecordException.MALFORMED, message);
    }
}
