package dev.surprisal.bench;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.tokenize.ByteTokenizer;
import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** What the benchmarks time: models of random weights (speed does not depend on them) and generated traffic. */
public final class BenchModels {

    private BenchModels() {
    }

    /** A 1-layer LSTM of random weights (speed does not depend on them): a byte model, or a word model of {@code vocabulary} words. */
    public static LanguageModel random(int hidden, int vocabulary) {
        Tokenizer tokenizer = vocabulary > 0 ? wordTokenizer(vocabulary) : new ByteTokenizer(false);
        ModelSpec spec = new ModelSpec(ModelSpec.Cell.LSTM, tokenizer.vocabularySize(), 64, hidden, 1);
        return ModelArtifact.initialise(new ModelManifest(ModelManifest.FORMAT_VERSION, "bench-h" + hidden,
                "2026-01-01T00:00:00Z", spec, tokenizer.spec(), 0, 99.5, TrainingMetrics.NONE, false, 0));
    }

    /** A word tokenizer that knows {@code w0 … w(n-3)}: with its two specials, a vocabulary of n. */
    private static Tokenizer wordTokenizer(int size) {
        List<String> words = new ArrayList<>(size);
        for (int i = 0; i < size - 2; i++) {
            words.add("w" + i);
        }
        return Tokenizers.train(Tokenizers.WORD, List.of(String.join(" ", words)),
                new Tokenizers.VocabularyLimits(size, 1));
    }

    /**
     * Events round-robin over the sessions, {@code tokens} tokens each: printable bytes, or with {@code words}
     * above 0 words {@code w0 …} of that vocabulary; event i's id is {@code prefix + i}.
     */
    public static List<TextEvent> traffic(int count, int sessions, String prefix, long seed, int tokens, int words) {
        Random random = new Random(seed);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 /=:.-_ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        List<TextEvent> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder(tokens);
            for (int t = 0; t < tokens; t++) {
                if (words > 0) {
                    text.append(t == 0 ? "" : " ").append('w').append(random.nextInt(words));
                } else {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            out.add(new TextEvent(prefix + i, prefix + "s" + (i % sessions), text.toString(), Instant.now(),
                    false, null));
        }
        return out;
    }
}
