package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tokenizers by name: how to build one from a corpus and how to rebuild it from a manifest. */
public final class Tokenizers {

    public static final String WORD = "word";
    public static final String WHITESPACE = "whitespace";
    public static final String KEYS = "keys";
    public static final String TEMPLATE = TemplateTokenizer.TYPE;

    /** Every tokenizer {@link #train} knows, by name. */
    public static final List<String> TYPES = List.of(ByteTokenizer.TYPE, WORD, WHITESPACE, KEYS, TEMPLATE);

    /**
     * Bracketed specials such as {@code <unk>} whole, then runs of letters/digits/underscore, or
     * single other non-space characters.
     */
    private static final Pattern WORD_PATTERN =
            Pattern.compile("<[\\p{L}\\p{N}_]+>|[\\p{L}\\p{N}_]+|[^\\p{L}\\p{N}_\\s]");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private Tokenizers() {
    }

    /** Word tokenizer settings: the classic RNNLM setup, rare words become {@code <unk>}. */
    public record VocabularyLimits(int maxSize, int minCount) {
        public static final VocabularyLimits WORD_DEFAULT = new VocabularyLimits(10_000, 2);
        public static final VocabularyLimits KEYS_DEFAULT = new VocabularyLimits(100_000, 1);
    }

    /**
     * Whether events end with an end-of-event token unless asked otherwise: text does, so that where
     * a line or a sentence stops is scored; a key is a whole event and does not.
     */
    public static boolean endsEventsByDefault(String type) {
        return !oneTokenPerEvent(type);
    }

    /** Keys and templates: every event is exactly one token. */
    public static boolean oneTokenPerEvent(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return KEYS.equals(t) || TEMPLATE.equals(t);
    }

    /** The template tokenizer, mined from the training lines with these settings. */
    public static Tokenizer trainTemplates(Iterable<String> corpus, TemplateSettings settings) {
        return TemplateTokenizer.train(corpus, settings);
    }

    public static Tokenizer train(String type, Iterable<String> corpus) {
        return train(type, corpus, endsEventsByDefault(type));
    }

    public static Tokenizer train(String type, Iterable<String> corpus, boolean endOfEvent) {
        String t = type.toLowerCase(Locale.ROOT);
        return switch (t) {
            case ByteTokenizer.TYPE -> new ByteTokenizer(endOfEvent);
            case WORD, WHITESPACE -> train(t, corpus, VocabularyLimits.WORD_DEFAULT, endOfEvent);
            case KEYS -> train(t, corpus, VocabularyLimits.KEYS_DEFAULT, endOfEvent);
            case TEMPLATE -> TemplateTokenizer.train(corpus, TemplateSettings.DEFAULT);
            default -> throw unknown(type);
        };
    }

    public static Tokenizer train(String type, Iterable<String> corpus, VocabularyLimits limits) {
        return train(type, corpus, limits, endsEventsByDefault(type));
    }

    public static Tokenizer train(String type, Iterable<String> corpus, VocabularyLimits limits, boolean endOfEvent) {
        Function<String, List<String>> splitter = splitter(type);
        return new VocabularyTokenizer(type, splitter, VocabularyTokenizer.buildVocabulary(corpus, splitter,
                limits.maxSize(), limits.minCount(), endOfEvent), endOfEvent);
    }

    public static Tokenizer fromSpec(Tokenizer.TokenizerSpec spec) {
        if (ByteTokenizer.TYPE.equals(spec.type())) {
            return new ByteTokenizer(spec.endOfEvent());
        }
        if (TEMPLATE.equals(spec.type())) {
            return TemplateTokenizer.fromSpec(spec);
        }
        return new VocabularyTokenizer(spec.type(), splitter(spec.type()), spec.vocabulary(), spec.endOfEvent());
    }

    private static Function<String, List<String>> splitter(String type) {
        return switch (type) {
            case WORD -> Tokenizers::words;
            case WHITESPACE, KEYS -> Tokenizers::whitespace;
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

    /** Pre-tokenised text (PTB) and log keys: whatever whitespace separates is a token. */
    static List<String> whitespace(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? List.of() : List.of(SPACES.split(trimmed));
    }

    private static IllegalArgumentException unknown(String type) {
        return new IllegalArgumentException("unknown tokenizer '" + type + "' (expected byte, word, whitespace, keys or template)");
    }
}
