package dev.surprisal.scoring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte model's surprisal per whitespace-delimited word: the sum over the word's bytes, which is
 * -log2 p(word | everything before it). Psycholinguistics measures reading times per word, not per
 * byte. The whitespace between words is counted in neither.
 */
public final class WordSurprisal {

    /** One word, where it starts in the text (UTF-16 index) and its surprisal. */
    public record Word(String word, int charOffset, double bits) {
    }

    private WordSurprisal() {
    }

    /** @param byteBits the surprisal of each byte of the text's UTF-8 form, in order; any beyond are ignored */
    public static List<Word> of(String text, double[] byteBits) {
        List<Word> out = new ArrayList<>();
        int byteIndex = 0;
        int start = -1;
        double bits = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (Character.isWhitespace(cp)) {
                if (start >= 0) {
                    out.add(new Word(text.substring(start, i), start, bits));
                    start = -1;
                    bits = 0;
                }
            } else {
                if (start < 0) {
                    start = i;
                }
                for (int b = 0; b < bytes && byteIndex + b < byteBits.length; b++) {
                    bits += byteBits[byteIndex + b];
                }
            }
            byteIndex += bytes;
            i += width;
        }
        if (start >= 0) {
            out.add(new Word(text.substring(start), start, bits));
        }
        return out;
    }
}
