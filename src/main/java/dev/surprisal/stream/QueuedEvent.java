package dev.surprisal.stream;

import dev.surprisal.avro.TextEvent;

/**
 * An event waiting to be scored, with the task it belongs to. {@code sequence} is its key in the
 * task's pending store, -1 if not stored.
 */
record QueuedEvent(BatchMember owner, long sequence, PendingEvent record, TextEvent event, String session) {
}
