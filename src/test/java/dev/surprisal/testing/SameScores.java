package dev.surprisal.testing;

import dev.surprisal.avro.TokenScore;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scores of the same tokens from two runs. The native engine sums in an order that depends on how many
 * sessions share a call, so a batch of another size moves the last digits (about 1e-6 bits): scores
 * agree to {@link #BITS}, as the fault suite compares them; tokens and ranks exactly.
 */
public final class SameScores {

    /** The tolerance in bits for a token's surprisal and entropy. */
    public static final double BITS = 1e-3;

    private SameScores() {
    }

    public static void assertSameTokens(List<TokenScore> expected, List<TokenScore> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": token count");
        for (int i = 0; i < expected.size(); i++) {
            TokenScore e = expected.get(i);
            TokenScore a = actual.get(i);
            String at = what + ", token " + i;
            assertEquals(e.getToken(), a.getToken(), at);
            assertEquals(e.getRank(), a.getRank(), at + ": rank");
            assertEquals(e.getSurprisalBits(), a.getSurprisalBits(), BITS, at + ": surprisal");
            assertEquals(e.getEntropyBits(), a.getEntropyBits(), BITS, at + ": entropy");
        }
    }
}
