package dev.surprisal.input;

/** An input record as it was read: where it sits in its topic, and its bytes. */
public record RawRecord(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {

    /**
     * The id of the {@code index}-th event read from this record when the input names none: stable,
     * so a replay or a resend of the record is recognised as the same events.
     */
    public String eventId(int index) {
        String id = topic + "-" + partition + "@" + offset;
        return index == 0 ? id : id + "#" + index;
    }
}
