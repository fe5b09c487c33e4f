package dev.surprisal.model;

import java.util.Locale;

/** Architecture of the network: Embedding → LSTM/GRU × layers → Linear over the vocabulary. */
public record ModelSpec(Cell cell, int vocabularySize, int embeddingSize, int hiddenSize, int layers) {

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
    }

    /** Floats in one session's recurrent state: h (layers × hidden), then c for an LSTM. */
    public int stateSize() {
        return (cell == Cell.LSTM ? 2 : 1) * layers * hiddenSize;
    }
}
