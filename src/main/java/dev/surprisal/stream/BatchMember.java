package dev.surprisal.stream;

import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;

import java.util.List;

/**
 * A task's side of a {@link ThreadBatch}: the events it has queued, the state each continues from,
 * and where the batch hands back what became of them. The task emits its own results later, on
 * its own turn, since only the task being processed may forward records.
 */
interface BatchMember {

    /** Events queued and not yet scored; the batch takes them (and clears the list) when it scores. */
    List<QueuedEvent> queued();

    /** The state an event of {@code session} continues from: after the results not yet emitted, else stored. */
    SessionState stateFor(String session);

    void scored(QueuedEvent source, SessionScorer.Prepared prepared, SessionScorer.Outcome outcome, long nanos);

    /** Not scored: dead-lettered with this code and reason when the task emits. */
    void rejected(QueuedEvent source, String code, String reason);

    /** A resend: counted, not scored, nothing emitted. */
    void duplicate(QueuedEvent source);
}
