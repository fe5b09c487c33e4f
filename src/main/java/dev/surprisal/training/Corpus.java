package dev.surprisal.training;

import dev.surprisal.model.OpenSession;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Training text as sessions of events, in the order they would arrive on the input topic. A
 * session's last event ends it unless the session is an {@link OpenSession}.
 */
public record Corpus(List<List<String>> sessions) {

    public Corpus {
        sessions = List.copyOf(sessions);
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no sessions");
        }
    }

    public Iterable<String> texts() {
        return () -> sessions.stream().flatMap(List::stream).iterator();
    }

    /** Sessions from which a corpus is split by whole sessions; with fewer, each is split in time. */
    public static final int SHUFFLED = 10;

    public long events() {
        return sessions.stream().mapToLong(List::size).sum();
    }

    /**
     * Holds out a seeded random share of the sessions. A corpus of few long sessions (a text file
     * read as one stream) is split inside each session instead: its last events are held out.
     */
    public Split split(double heldOutFraction, long seed) {
        if (sessions.size() >= SHUFFLED) {
            List<List<String>> shuffled = new ArrayList<>(sessions);
            Collections.shuffle(shuffled, new Random(seed));
            int heldOut = Math.max(1, (int) Math.round(shuffled.size() * heldOutFraction));
            return new Split(new Corpus(shuffled.subList(heldOut, shuffled.size())),
                    new Corpus(shuffled.subList(0, heldOut)));
        }
        List<List<String>> train = new ArrayList<>();
        List<List<String>> heldOut = new ArrayList<>();
        for (List<String> session : sessions) {
            int cut = Math.min(session.size() - 1, (int) Math.round(session.size() * (1 - heldOutFraction)));
            if (cut < 1) {
                train.add(session);
                continue;
            }
            // the first part stops where the held-out part goes on: not an end to learn
            train.add(OpenSession.of(session.subList(0, cut)));
            heldOut.add(OpenSession.like(session, session.subList(cut, session.size())));
        }
        if (heldOut.isEmpty()) {
            throw new IllegalArgumentException("the corpus is too small to hold out validation text");
        }
        return new Split(new Corpus(train), new Corpus(heldOut));
    }

    public record Split(Corpus train, Corpus validation) {
    }
}
