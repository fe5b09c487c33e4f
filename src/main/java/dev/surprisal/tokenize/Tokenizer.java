package dev.surprisal.tokenize;

import java.util.List;

/**
 * Turns event text into token ids. A tokenizer travels with the model it was trained with:
 * {@link #spec()} is written into the model manifest and {@link Tokenizers#fromSpec} rebuilds it.
 */
public interface Tokenizer {

    /** Id fed to the model once at the start of every session; never produced by {@link #encode}. */
    int bosId();

    int vocabularySize();

    int[] encode(String text);

    /** Human-readable form of one token, as written into scores. */
    String render(int tokenId);

    TokenizerSpec spec();

    /** Name and, for vocabulary tokenizers, the vocabulary in id order. */
    record TokenizerSpec(String type, List<String> vocabulary) {
    }
}
