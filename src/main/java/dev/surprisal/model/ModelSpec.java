package dev.surprisal.model;

import java.util.Locale;

/**
 * Architecture of the network: Embedding → LSTM/GRU × layers → Linear over the vocabulary.
 *
 * @param dropout     drop rate applied in training only: to the embeddings, between recurrent layers
 *                    and before the output layer
 * @param tiedWeights the output layer reuses the embedding matrix (needs embedding = hidden size):
 *                    fewer weights to fit, which is what helps on small word corpora
 */
public record ModelSpec(Cell cell, int vocabularySize, int embeddingSize, int hiddenSize, int layers, float dropout,
                        boolean tiedWeights) {

    public enum Cell {
        LSTM, GRU;

        public static Cell parse(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    public ModelSpec {
        if (vocabularySize < 2 || embeddingSize < 1 || hiddenSize < 1 || layers < 1) {
            throw new IllegalArgumentException("invalid model spec " + vocabularySize + "/" + embeddingSize
                    + "/" + hiddenSize + "/" + layers);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
        if (tiedWeights && embeddingSize != hiddenSize) {
            throw new IllegalArgumentException("tied weights need embedding size = hidden size, were "
                    + embeddingSize + " and " + hiddenSize);
        }
    }

    public ModelSpec(Cell cell, int vocabularySize, int embeddingSize, int hiddenSize, int layers) {
        this(cell, vocabularySize, embeddingSize, hiddenSize, layers, 0f, false);
    }

    /** The same architecture over a vocabulary of {@code size} tokens (a fine-tune that learned new templates). */
    public ModelSpec withVocabularySize(int size) {
        return new ModelSpec(cell, size, embeddingSize, hiddenSize, layers, dropout, tiedWeights);
    }

    /** Floats in one session's recurrent state: h (layers × hidden), then c for an LSTM. */
    public int stateSize() {
        return (cell == Cell.LSTM ? 2 : 1) * layers * hiddenSize;
    }
}
