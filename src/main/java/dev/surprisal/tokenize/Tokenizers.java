package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The three tokenizers by name: how to build one from a corpus and how to rebuild it from a manifest. */
public final class Tokenizers {

    public static final String WORD = "word";
    public static final String KEYS = "keys";

    /** Runs of letters/digits/underscore, or single other non-space characters. */
    private static final Pattern WORD_PATTERN = Pattern.compile("[\\p{L}\\p{N}_]+|[^\\p{L}\\p{N}_\\s]");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Tokenizers() {
    }

    /** Word tokenizer settings: the classic RNNLM setup, rare words become {@code <unk>}. */
    public record VocabularyLimits(int maxSize, int minCount) {
        public static final VocabularyLimits WORD_DEFAULT = new VocabularyLimits(10_000, 2);
        public static final VocabularyLimits KEYS_DEFAULT = new VocabularyLimits(100_000, 1);
    }

    public static Tokenizer train(String type, Iterable<String> corpus) {
        String t = type.toLowerCase(Locale.ROOT);
        return switch (t) {
            case ByteTokenizer.TYPE -> new ByteTokenizer();
            case WORD -> train(t, corpus, VocabularyLimits.WORD_DEFAULT);
            case KEYS -> train(t, corpus, VocabularyLimits.KEYS_DEFAULT);
            default -> throw unknown(type);
        };
    }

    public static Tokenizer train(String type, Iterable<String> corpus, VocabularyLimits limits) {
        Function<String, List<String>> splitter = splitter(type);
        return new VocabularyTokenizer(type, splitter,
                VocabularyTokenizer.buildVocabulary(corpus, splitter, limits.maxSize(), limits.minCount()));
    }

    public static Tokenizer fromSpec(Tokenizer.TokenizerSpec spec) {
        if (ByteTokenizer.TYPE.equals(spec.type())) {
            return new ByteTokenizer();
        }
        return new VocabularyTokenizer(spec.type(), splitter(spec.type()), spec.vocabulary());
    }

    private static Function<String, List<String>> splitter(String type) {
        return switch (type) {
            case WORD -> Tokenizers::words;
            case KEYS -> Tokenizers::keys;
            default -> throw unknown(type);
        };
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD_PATTERN.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    static List<String> keys(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? List.of() : List.of(WHITESPACE.split(trimmed));
    }

    private static IllegalArgumentException unknown(String type) {
        return new IllegalArgumentException("unknown tokenizer '" + type + "' (expected byte, word or keys)");
    }
}
