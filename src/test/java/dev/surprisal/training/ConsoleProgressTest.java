package dev.surprisal.training;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleProgressTest {

    private static String run(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConsoleProgress progress = new ConsoleProgress(out, terminal);
        for (int epoch = 1; epoch <= 2; epoch++) {
            for (long step = 1; step <= 1000; step++) {
                progress.onProgress(new TrainingProgress(epoch, 2, step, 1000, 1.5, 1e4, Duration.ZERO));
            }
            progress.onEpoch(new TrainingProgress.Epoch(epoch, 1.5, 1.4, epoch == 1, 3e-3f, Duration.ofSeconds(epoch)));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pipedProgressIsWholeLinesAndNoCarriageReturns() {
        String log = run(false);
        assertFalse(log.contains("\r"), log);
        // thousands of steps in well under the ten-second interval: only the epoch lines
        assertEquals(2, log.lines().count(), log);
        assertTrue(log.contains("epoch 1: train loss 1.500, validation 2.020 bits/token"), log);
    }

    @Test
    void aTerminalGetsABarRedrawnInPlace() {
        String screen = run(true);
        assertTrue(screen.contains("\r  epoch 1/2 ["), screen);
        assertTrue(screen.lines().anyMatch(l -> l.startsWith("  epoch 2: ")), screen);
    }
}
