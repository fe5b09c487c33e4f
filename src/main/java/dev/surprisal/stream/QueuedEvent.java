package dev.surprisal.stream;

import dev.surprisal.avro.TextEvent;

/**
 * An event waiting to be scored, with the task it belongs to. {@code sequence} is its key in the
 * task's pending store, -1 if not stored; {@code queuedAt} is {@link System#nanoTime()} when it
 * was queued, what the batch's window and latency target are measured from.
 */
record QueuedEvent(BatchMember owner, long sequence, PendingEvent record, TextEvent event, String session,
                   long queuedAt) {

    QueuedEvent(BatchMember owner, long sequence, PendingEvent record, TextEvent event, String session) {
        this(owner, sequence, record, event, session, System.nanoTime());
    }
}
