package dev.surprisal.tokenize;

import java.util.List;

/**
 * Turns event text into token ids. A tokenizer travels with the model it was trained with:
 * {@link #spec()} is written into the model manifest and {@link Tokenizers#fromSpec} rebuilds it.
 */
public interface Tokenizer {

    /** Id fed to the model once at the start of every session; never produced by {@link #encode}. */
    int bosId();

    /**
     * Id that {@link #encode} appends to every event of text, so that where an event stops is
     * predicted and scored like any token; -1 when the tokenizer has none (keys: an event is one key).
     */
    int endOfEventId();

    int vocabularySize();

    int[] encode(String text);

    /** Human-readable form of one token, as written into scores. */
    String render(int tokenId);

    TokenizerSpec spec();

    /**
     * Name, for vocabulary tokenizers the vocabulary in id order, whether events end with an
     * end-of-event token (absent in manifests written before it existed: then false), and for the
     * template tokenizer how it reads lines (else null).
     */
    record TokenizerSpec(String type, List<String> vocabulary, boolean endOfEvent, TemplateSettings template) {
        public TokenizerSpec(String type, List<String> vocabulary, boolean endOfEvent) {
            this(type, vocabulary, endOfEvent, null);
        }
    }
}
