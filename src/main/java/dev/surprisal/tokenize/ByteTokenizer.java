package dev.surprisal.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * UTF-8 bytes as tokens: ids 0–255 are bytes, 256 is the session start and, when events end with
 * one, 257 the end of an event. Nothing is out of vocabulary.
 */
public final class ByteTokenizer implements Tokenizer {

    public static final String TYPE = "byte";
    private static final int BOS = 256;
    private static final int END = 257;

    private final boolean endOfEvent;

    public ByteTokenizer(boolean endOfEvent) {
        this.endOfEvent = endOfEvent;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int endOfEventId() {
        return endOfEvent ? END : -1;
    }

    @Override
    public int vocabularySize() {
        return endOfEvent ? 258 : 257;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length + (endOfEvent ? 1 : 0)];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        if (endOfEvent) {
            ids[bytes.length] = END;
        }
        return ids;
    }

    @Override
    public String render(int tokenId) {
        if (tokenId == BOS) {
            return VocabularyTokenizer.BOS;
        }
        if (tokenId == END) {
            return VocabularyTokenizer.EOS;
        }
        return switch (tokenId) {
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case '\\' -> "\\\\";
            default -> tokenId >= 0x20 && tokenId < 0x7F
                    ? String.valueOf((char) tokenId)
                    : String.format("\\x%02X", tokenId);
        };
    }

    @Override
    public TokenizerSpec spec() {
        return new TokenizerSpec(TYPE, List.of(), endOfEvent);
    }
}
