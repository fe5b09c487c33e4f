package dev.surprisal.stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputStallTest {

    @Test
    void inputThatWaitsWithNothingWrittenIsAStallFromWhenItBeganToWait() {
        OutputStall stall = new OutputStall(0);
        stall.lag(0, 60_000);
        assertEquals(0, stall.stalledMs(90_000), "an idle input is no stall, however long since the last score");
        stall.lag(500, 100_000);
        assertEquals(0, stall.stalledMs(100_000), "counted from when the input began to wait, not the last score");
        assertEquals(20_000, stall.stalledMs(120_000));
        stall.lag(800, 125_000);
        assertEquals(30_000, stall.stalledMs(130_000), "still waiting");
    }

    @Test
    void aScoreWrittenOrAnEmptyInputClearsIt() {
        OutputStall stall = new OutputStall(0);
        stall.lag(10, 1_000);
        assertEquals(40_000, stall.stalledMs(41_000));
        stall.output(41_500);
        assertEquals(0, stall.stalledMs(41_500));
        assertEquals(3_000, stall.stalledMs(44_500), "and counts again from that score while input waits");
        stall.lag(0, 45_000);
        assertEquals(0, stall.stalledMs(99_000));
    }
}
