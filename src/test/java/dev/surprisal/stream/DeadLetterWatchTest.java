package dev.surprisal.stream;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterWatchTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final DeadLetterWatch watch = new DeadLetterWatch(now::get);

    @Test
    void nothingRefusedIsNothingToSay() {
        watch.record();
        assertTrue(watch.recent().isEmpty());
    }

    @Test
    void theCommonestReasonLeadsWithItsNewestExampleAndItsCount() {
        for (int i = 0; i < 10; i++) {
            watch.record();
        }
        watch.deadLetter("invalid-json", "t-0@1: not JSON");
        watch.deadLetter("missing-session", "t-0@2: no session");
        watch.deadLetter("missing-session", "t-0@3: no session");
        DeadLetterWatch.Summary s = watch.recent().orElseThrow();
        assertEquals(10, s.records());
        assertEquals(3, s.dead());
        assertEquals("missing-session", s.code());
        assertEquals(2, s.codeCount());
        assertEquals("t-0@3: no session", s.example());
        assertTrue(s.problem(), "3 of 10");
        assertTrue(s.describe("dlq").startsWith("3 of the last 10 input records were dead-lettered to dlq: "
                + "missing-session (2), e.g. t-0@3: no session; say where the session is"), s.describe("dlq"));
    }

    @Test
    void aFewBadRecordsAmongManyAreEverydayLifeNotAProblem() {
        for (int i = 0; i < 100; i++) {
            watch.record();
        }
        watch.deadLetter("malformed", "t-0@7: truncated");
        assertFalse(watch.recent().orElseThrow().problem());
        assertNull(DeadLetterWatch.hint("malformed"), "the record is at fault, no setting fixes it");
    }

    @Test
    void aMinuteLaterItIsGone() {
        watch.record();
        watch.deadLetter("missing-key", "t-0@0: no key");
        now.addAndGet(DeadLetterWatch.WINDOW_MS - 6_000);
        assertTrue(watch.recent().isPresent());
        now.addAndGet(12_000);
        assertTrue(watch.recent().isEmpty());
    }
}
