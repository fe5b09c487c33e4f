package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tokens from a fixed vocabulary: id 0 is the session start, id 1 stands for every symbol the
 * vocabulary does not hold, and, when events end with one, id 2 is the end of an event. A literal
 * {@code <unk>} or {@code <eos>} in the text (PTB writes both) is that special token; a literal
 * {@code <bos>} is unknown, since only the scorer starts sessions. How text splits into symbols is
 * the splitter's business (see {@link Tokenizers}).
 */
public final class VocabularyTokenizer implements Tokenizer {

    public static final String BOS = "<bos>";
    public static final String UNK = "<unk>";
    public static final String EOS = "<eos>";
    public static final int UNK_ID = 1;
    private static final int EOS_ID = 2;

    private final String type;
    private final Function<String, List<String>> splitter;
    private final List<String> vocabulary;
    private final Map<String, Integer> ids;
    private final boolean endOfEvent;

    VocabularyTokenizer(String type, Function<String, List<String>> splitter, List<String> vocabulary,
                        boolean endOfEvent) {
        if (vocabulary.size() < 2 || !BOS.equals(vocabulary.get(0)) || !UNK.equals(vocabulary.get(1))) {
            throw new IllegalArgumentException("a " + type + " vocabulary must start with " + BOS + ", " + UNK);
        }
        if (endOfEvent != (vocabulary.size() > EOS_ID && EOS.equals(vocabulary.get(EOS_ID)))) {
            throw new IllegalArgumentException("a " + type + " vocabulary " + (endOfEvent ? "must" : "must not")
                    + " hold " + EOS + " at id " + EOS_ID);
        }
        this.type = type;
        this.endOfEvent = endOfEvent;
        this.splitter = splitter;
        this.vocabulary = List.copyOf(vocabulary);
        this.ids = new HashMap<>(vocabulary.size() * 2);
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i), i);
        }
        ids.put(BOS, UNK_ID);
    }

    /**
     * Builds the vocabulary from a corpus: symbols seen at least {@code minCount} times, most
     * frequent first (ties alphabetical, so the same corpus always gives the same ids), at most
     * {@code maxSize} entries including the specials.
     */
    static List<String> buildVocabulary(Iterable<String> texts, Function<String, List<String>> splitter,
                                        int maxSize, int minCount, boolean endOfEvent) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String symbol : splitter.apply(text)) {
                counts.merge(symbol, 1, Integer::sum);
            }
        }
        counts.remove(BOS);
        counts.remove(UNK);
        counts.remove(EOS);
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Collections.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> vocabulary = new ArrayList<>(endOfEvent ? List.of(BOS, UNK, EOS) : List.of(BOS, UNK));
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
    public int endOfEventId() {
        return endOfEvent ? EOS_ID : -1;
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public int[] encode(String text) {
        List<String> symbols = splitter.apply(text);
        int[] out = new int[symbols.size() + (endOfEvent ? 1 : 0)];
        for (int i = 0; i < symbols.size(); i++) {
            out[i] = ids.getOrDefault(symbols.get(i), UNK_ID);
        }
        if (endOfEvent) {
            out[symbols.size()] = EOS_ID;
        }
        return out;
    }

    @Override
    public String render(int tokenId) {
        return vocabulary.get(tokenId);
    }

    @Override
    public TokenizerSpec spec() {
        return new TokenizerSpec(type, vocabulary, endOfEvent);
    }
}
