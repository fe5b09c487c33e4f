package dev.surprisal.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplaySampleTest {

    @Test
    void roundTripsTextWithNewlinesQuotesAndUnicode() throws IOException {
        ReplaySample sample = new ReplaySample(List.of(List.of("GET /a \"x\"", "line\nbreak"), List.of("é ✓")),
                List.of(List.of("#held-out", "")));
        StringWriter out = new StringWriter();
        sample.write(out);
        assertEquals(sample, ReplaySample.read(new StringReader(out.toString())));
    }

    @Test
    void sessionsCutBeforeTheirEndStayOpen() throws IOException {
        List<List<String>> train = List.of(OpenSession.of(List.of("a", "b")), List.of("c"));
        ReplaySample drawn = ReplaySample.of(train, List.of(OpenSession.of(List.of("d"))), 3);
        StringWriter out = new StringWriter();
        drawn.write(out);
        ReplaySample read = ReplaySample.read(new StringReader(out.toString()));
        assertEquals(drawn, read);
        for (List<String> session : read.train()) {
            assertEquals(!session.equals(List.of("a", "b")), OpenSession.ends(session), session.toString());
        }
        assertFalse(OpenSession.ends(read.heldOut().get(0)));
    }

    @Test
    void drawsAtMostTheLimitsFromEachSplitDeterministically() {
        List<List<String>> many = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            many.add(List.of("event " + i, "next " + i));
        }
        ReplaySample a = ReplaySample.of(many, many, 7);
        assertEquals(ReplaySample.MAX_TRAIN_SESSIONS, a.train().size());
        assertEquals(ReplaySample.MAX_HELD_OUT_SESSIONS, a.heldOut().size());
        assertEquals(a, ReplaySample.of(many, many, 7), "seeded");

        List<List<String>> huge = List.of(List.of("x".repeat(ReplaySample.MAX_CHARS - 10)), List.of("y".repeat(100)));
        ReplaySample capped = ReplaySample.of(huge, List.of(), 1);
        assertTrue(capped.train().stream().mapToInt(s -> s.get(0).length()).sum() <= ReplaySample.MAX_CHARS);
    }
}
