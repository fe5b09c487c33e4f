package dev.surprisal.evaluate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionVerdictsTest {

    private static Replayer.EventResult event(String id, int tokens, double bits, double perplexity, int rank,
                                              double score, boolean flagged) {
        return new Replayer.EventResult(id, "text", null, tokens, bits, perplexity, rank, score, flagged, List.of(),
                null);
    }

    @Test
    void everySessionGetsOneLineInInputOrderWithItsWorstEvent(@TempDir Path dir) throws Exception {
        ReplaySession flagged = new ReplaySession("blk\t7", true, List.of());
        ReplaySession quiet = new ReplaySession("s2", null, List.of());
        List<Replayer.SessionResult> results = List.of(
                new Replayer.SessionResult(flagged, List.of(event("a", 3, 6.0, 4.0, 2, 0.1, false),
                        event("b", 2, 40.0, 1e6, 12, 3.5, true)), List.of()),
                new Replayer.SessionResult(quiet, List.of(event("c", 1, 1.0, 2.0, 1, 0.2, false)), List.of()));
        Path file = dir.resolve("sessions.tsv");

        SessionVerdicts.write(file, results);

        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of(SessionVerdicts.HEADER,
                "blk 7\t1\t2\t5\t46.0000\t1.00000e+06\t12\t3.50000\t1",
                "s2\t\t1\t1\t1.0000\t2.00000\t1\t0.200000\t0"), lines);
    }
}
