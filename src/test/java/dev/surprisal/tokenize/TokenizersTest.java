package dev.surprisal.tokenize;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenizersTest {

    @Test
    void byteTokensAreUtf8BytesWithNothingOutOfVocabulary() {
        Tokenizer t = Tokenizers.train("byte", List.of(), false);
        assertArrayEquals(new int[] {'h', 'i', 0xC3, 0xA9}, t.encode("hié"));
        assertEquals(257, t.vocabularySize());
        assertEquals(256, t.bosId());
        assertEquals(-1, t.endOfEventId());
        assertEquals("\\n", t.render('\n'));
        assertEquals("\\xC3", t.render(0xC3));
        assertEquals("a", t.render('a'));
    }

    @Test
    void wordVocabularyKeepsFrequentWordsAndMapsTheRestToUnk() {
        Tokenizer t = Tokenizers.train("word", List.of("the cat sat.", "the dog sat", "a bird"),
                new Tokenizers.VocabularyLimits(100, 2), false);
        // "the" and "sat" occur twice: most frequent first, ties alphabetical, after <bos> and <unk>.
        assertEquals(List.of("<bos>", "<unk>", "sat", "the"), t.spec().vocabulary());
        assertArrayEquals(new int[] {3, 1, 2, 1}, t.encode("the cat sat."));
    }

    @Test
    void textEventsEndWithAnEndOfEventTokenByDefaultAndKeysDoNot() {
        Tokenizer bytes = Tokenizers.train("byte", List.of());
        assertArrayEquals(new int[] {'h', 'i', 257}, bytes.encode("hi"));
        assertEquals(258, bytes.vocabularySize());
        assertEquals("<eos>", bytes.render(257));
        Tokenizer words = Tokenizers.train("word", List.of("a b", "a"), new Tokenizers.VocabularyLimits(100, 1));
        assertEquals(List.of("<bos>", "<unk>", "<eos>", "a", "b"), words.spec().vocabulary());
        assertArrayEquals(new int[] {3, 4, 1, 2}, words.encode("a b c"));
        assertEquals(-1, Tokenizers.train("keys", List.of("E1 E2")).endOfEventId());
        Tokenizer copy = Tokenizers.fromSpec(words.spec());
        assertArrayEquals(words.encode("b a"), copy.encode("b a"));
    }

    @Test
    void bracketedSpecialsStayWholeAndALiteralUnkIsTheUnknownToken() {
        // PTB's text: <unk> is one symbol, and it is the unknown word, not a word of its own
        Tokenizer t = Tokenizers.train("word", List.of("the <unk> sat", "the <unk> <unk> ran"),
                new Tokenizers.VocabularyLimits(100, 1));
        assertEquals(List.of("the", "<unk>", "sat"), Tokenizers.words("the <unk> sat"));
        assertArrayEquals(new int[] {3, VocabularyTokenizer.UNK_ID, VocabularyTokenizer.UNK_ID, 2},
                t.encode("the <unk> <bos>"));
        assertEquals(List.of("<bos>", "<unk>", "<eos>", "the", "ran", "sat"), t.spec().vocabulary());
    }

    @Test
    void whitespaceTokensArePreTokenisedTextAsIs() {
        Tokenizer t = Tokenizers.train("whitespace", List.of("we do n't know", "they do n't"),
                new Tokenizers.VocabularyLimits(100, 1));
        int[] ids = t.encode(" we  don't n't ");
        assertEquals(4, ids.length, "three words and the end");
        assertEquals(VocabularyTokenizer.UNK_ID, ids[1]);
        assertEquals("n't", t.render(ids[2]));
    }

    @Test
    void wordSplittingSeparatesPunctuation() {
        assertEquals(List.of("GET", "/", "api", "/", "v1", "?", "q", "=", "1"), Tokenizers.words("GET /api/v1?q=1"));
    }

    @Test
    void keysSplitOnWhitespaceOnly() {
        Tokenizer t = Tokenizers.train("keys", List.of("E5 E22 E5", "E11"));
        assertArrayEquals(new int[] {2, 4, 3, 1}, t.encode("  E5\tE22 E11 E99 ")); // E5 most frequent; E11 before E22
        assertEquals(0, t.encode("   ").length);
    }

    @Test
    void rebuildsFromItsSpec() {
        Tokenizer t = Tokenizers.train("word", List.of("a b c a b a"), new Tokenizers.VocabularyLimits(10, 1));
        Tokenizer copy = Tokenizers.fromSpec(t.spec());
        assertArrayEquals(t.encode("c b a z"), copy.encode("c b a z"));
    }

    @Test
    void unknownTypeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.train("bpe", List.of()));
    }
}
