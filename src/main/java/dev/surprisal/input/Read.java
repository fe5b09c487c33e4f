package dev.surprisal.input;

import dev.surprisal.avro.TextEvent;

/** One event read from an input record, with its session; or why a part of the record cannot be read. */
public record Read(String session, TextEvent event, String code, String reason) {

    public static Read of(TextEvent event) {
        return new Read(event.getSessionId(), event, null, null);
    }

    public static Read refused(String code, String reason) {
        return new Read(null, null, code, reason);
    }

    public boolean refused() {
        return event == null;
    }
}
