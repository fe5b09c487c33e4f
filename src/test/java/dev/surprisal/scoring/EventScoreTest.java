package dev.surprisal.scoring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventScoreTest {

    @Test
    void aSessionsEndIsJudgedOnItsOwnNotAveragedIn() {
        // a key of 1 bit, then an end of 13 bits: averaged the event looks like 2^7, judged alone the end is 2^13
        assertEquals(Math.pow(2, 13), EventScore.perplexity(2, 14, 13), 1e-9);
        // an unsurprising end does not lower the event's own perplexity
        assertEquals(Math.pow(2, 5), EventScore.perplexity(3, 10.5, 0.5), 1e-9);
        // events that end nothing are the plain mean
        assertEquals(Math.pow(2, 7), EventScore.perplexity(2, 14, Double.NaN), 1e-9);
        assertEquals(Math.pow(2, 3), EventScore.perplexity(1, 3, 3), 1e-9);
    }
}
