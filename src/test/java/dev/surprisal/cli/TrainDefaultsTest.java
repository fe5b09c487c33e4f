package dev.surprisal.cli;

import dev.surprisal.training.TrainingOptions;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** train's option defaults are the training defaults, not a second copy that can drift from them. */
class TrainDefaultsTest {

    @Test
    void trainWithNoOptionsTrainsWithTheDefaults() throws Exception {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("--corpus", "text.txt", "--out", "models/m");
        assertEquals(TrainingOptions.defaults(), train.options());
    }
}
