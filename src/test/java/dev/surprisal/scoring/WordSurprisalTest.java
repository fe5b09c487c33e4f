package dev.surprisal.scoring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WordSurprisalTest {

    @Test
    void sumsEachWordsBytesAndSkipsTheSpacesBetween() {
        // "hé  ok": h, é (2 bytes), space, space, o, k, then the end-of-event token
        double[] bits = {1, 2, 3, 100, 100, 4, 5, 50};
        List<WordSurprisal.Word> words = WordSurprisal.of("hé  ok", bits);
        assertEquals(List.of(new WordSurprisal.Word("hé", 0, 6), new WordSurprisal.Word("ok", 4, 9)), words);
    }

    @Test
    void surrogatePairsAndLeadingSpaceKeepTheirOffsets() {
        double[] bits = {9, 1, 1, 1, 1, 2};
        assertEquals(List.of(new WordSurprisal.Word("😀a", 1, 6)), WordSurprisal.of(" 😀a", bits));
        assertEquals(List.of(), WordSurprisal.of("   ", new double[3]));
    }
}
