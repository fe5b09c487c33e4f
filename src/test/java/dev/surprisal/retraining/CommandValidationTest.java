package dev.surprisal.retraining;

import dev.surprisal.avro.TrainCommand;
import dev.surprisal.tokenize.Tokenizers;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CommandValidationTest {

    private static TrainCommand fromTopic(String tokenizer) {
        return TrainCommand.newBuilder().setCommandId("c-" + tokenizer).setTopic("events").setTokenizer(tokenizer).build();
    }

    @Test
    void everyTokenizerTrainKnowsCanBeAskedForOnTheTrainerTopic() {
        for (String type : Tokenizers.TYPES) {
            assertNull(CommandValidation.problem(fromTopic(type)), type);
            assertEquals(type, CommandValidation.options(fromTopic(type), Duration.ZERO).tokenizer());
        }
    }

    @Test
    void anUnknownTokenizerIsAnsweredWithTheKnownOnes() {
        assertEquals("tokenizer must be one of byte, word, whitespace, keys, template, not 'bpe'",
                CommandValidation.problem(fromTopic("bpe")));
    }

    @Test
    void aCommandMayNameItsOwnTimeBudget() {
        TrainCommand within = TrainCommand.newBuilder(fromTopic("word")).setTimeBudgetSeconds(90L).build();
        assertNull(CommandValidation.problem(within));
        assertEquals(Duration.ofSeconds(90), CommandValidation.options(within, Duration.ZERO).timeBudget());
        assertEquals("timeBudgetSeconds must not be negative",
                CommandValidation.problem(TrainCommand.newBuilder(fromTopic("word")).setTimeBudgetSeconds(-1L).build()));
    }
}
