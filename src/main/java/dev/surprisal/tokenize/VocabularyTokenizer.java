package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tokens from a fixed vocabulary: id 0 is the session start, id 1 stands for every symbol the
 * vocabulary does not hold. How text splits into symbols is the splitter's business (see
 * {@link Tokenizers}).
 */
public final class VocabularyTokenizer implements Tokenizer {

    public static final String BOS = "<bos>";
    public static final String UNK = "<unk>";
    public static final int UNK_ID = 1;

    private final String type;
    private final Function<String, List<String>> splitter;
    private final List<String> vocabulary;
    private final Map<String, Integer> ids;

    VocabularyTokenizer(String type, Function<String, List<String>> splitter, List<String> vocabulary) {
        if (vocabulary.size() < 2 || !BOS.equals(vocabulary.get(0)) || !UNK.equals(vocabulary.get(1))) {
            throw new IllegalArgumentException("a " + type + " vocabulary must start with " + BOS + ", " + UNK);
        }
        this.type = type;
        this.splitter = splitter;
        this.vocabulary = List.copyOf(vocabulary);
        this.ids = new HashMap<>(vocabulary.size() * 2);
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i), i);
        }
    }

    /**
     * Builds the vocabulary from a corpus: symbols seen at least {@code minCount} times, most
     * frequent first (ties alphabetical, so the same corpus always gives the same ids), at most
     * {@code maxSize} entries including the two specials.
     */
    static List<String> buildVocabulary(Iterable<String> texts, Function<String, List<String>> splitter,
                                        int maxSize, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String symbol : splitter.apply(text)) {
                counts.merge(symbol, 1, Integer::sum);
            }
        }
        counts.remove(BOS);
        counts.remove(UNK);
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Collections.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> vocabulary = new ArrayList<>(List.of(BOS, UNK));
        for (Map.Entry<String, Integer> e : entries) {
            if (vocabulary.size() >= maxSize || e.getValue() < minCount) {
                break;
            }
            vocabulary.add(e.getKey());
        }
        return vocabulary;
    }

    @Override
    public int bosId() {
        return 0;
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public int[] encode(String text) {
        List<String> symbols = splitter.apply(text);
        int[] out = new int[symbols.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.getOrDefault(symbols.get(i), UNK_ID);
        }
        return out;
    }

    @Override
    public String render(int tokenId) {
        return vocabulary.get(tokenId);
    }

    @Override
    public TokenizerSpec spec() {
        return new TokenizerSpec(type, vocabulary);
    }
}
