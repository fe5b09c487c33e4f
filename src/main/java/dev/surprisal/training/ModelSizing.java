package dev.surprisal.training;

import dev.surprisal.model.ModelSpec;
import dev.surprisal.tokenize.ByteTokenizer;
import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

/**
 * The architecture a training run gets when the user leaves sizes and regularisation to us.
 *
 * <p>What decides it is how much the data can support. Log keys have tens to hundreds of symbols in
 * rigid orders: a small embedding holds them, but the recurrent layer must count repetitions over
 * sessions of dozens of keys (hidden 64 missed truncated HDFS sessions that 128 catches). Bytes have a
 * small vocabulary and long dependencies: the recurrent layer carries the model, the embedding stays
 * small. Words have a large vocabulary and few occurrences of each: the embedding and output
 * matrices hold most weights, so they are tied and dropout is heavy unless the corpus is large.
 * Explicit options always win.
 */
public final class ModelSizing {

    /** Below this many training tokens a corpus counts as small and gets more dropout. */
    static final long SMALL_CORPUS_TOKENS = 1_000_000;

    private ModelSizing() {
    }

    public static ModelSpec choose(TrainingOptions o, Tokenizer tokenizer, long trainTokens) {
        boolean small = trainTokens < SMALL_CORPUS_TOKENS;
        String type = tokenizer.spec().type();
        int embedding;
        int hidden;
        float dropout;
        boolean tied;
        if (Tokenizers.oneTokenPerEvent(type)) {
            embedding = 32;
            hidden = 128;
            dropout = 0.1f;
            tied = false;
        } else if (ByteTokenizer.TYPE.equals(type)) {
            embedding = 64;
            hidden = small ? 256 : 512;
            dropout = small ? 0.2f : 0.1f;
            tied = false;
        } else {
            hidden = small ? 256 : 512;
            embedding = hidden;
            dropout = small ? 0.5f : 0.3f;
            tied = true;
        }
        int e = o.embeddingSize() != TrainingOptions.AUTO ? o.embeddingSize() : embedding;
        int h = o.hiddenSize() != TrainingOptions.AUTO ? o.hiddenSize() : hidden;
        if (o.embeddingSize() != TrainingOptions.AUTO || o.hiddenSize() != TrainingOptions.AUTO) {
            // a size given by hand: keep the other one consistent with tying
            if (tied && o.embeddingSize() == TrainingOptions.AUTO) {
                e = h;
            } else if (tied && o.hiddenSize() == TrainingOptions.AUTO) {
                h = e;
            }
        }
        boolean tie = o.tiedWeights() != null ? o.tiedWeights() : tied && e == h;
        float d = o.dropout() != TrainingOptions.AUTO ? o.dropout() : dropout;
        return new ModelSpec(o.cell(), tokenizer.vocabularySize(), e, h, o.layers(), d, tie);
    }
}
