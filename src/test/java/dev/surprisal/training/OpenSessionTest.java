package dev.surprisal.training;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.OpenSession;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session cut before its end (a topic range stopping while it goes on) teaches and judges no end. */
class OpenSessionTest {

    private static final List<String> WHOLE = List.of("open", "read", "close");
    private static final List<String> CUT = List.of("open", "read");
    private final Tokenizer keys = Tokenizers.train("keys", WHOLE);

    private static List<List<String>> times(int n, List<String> session) {
        return new ArrayList<>(Collections.nCopies(n, session));
    }

    private double worstEvent(KneserNey kn, List<String> session) {
        return CorpusScore.of(kn, keys, List.of(session)).sessionMaxPerplexities()[0];
    }

    @Test
    void aCutSessionIsNeitherLearnedNorJudgedAsAnEnd() {
        List<List<String>> whole = times(50, WHOLE);
        List<List<String>> cutAsEnded = new ArrayList<>(whole);
        cutAsEnded.addAll(times(50, CUT));
        List<List<String>> cutAsOpen = new ArrayList<>(whole);
        cutAsOpen.addAll(times(50, OpenSession.of(CUT)));
        Corpus validation = new Corpus(whole);
        KneserNey learnedCutEnds = BaselineTrainer.train(2, keys, new Corpus(cutAsEnded), validation, 99);
        KneserNey learnedNoCutEnds = BaselineTrainer.train(2, keys, new Corpus(cutAsOpen), validation, 99);

        assertTrue(worstEvent(learnedCutEnds, CUT) < 3, "a cut taught as an end: ending after read is usual");
        assertTrue(worstEvent(learnedNoCutEnds, CUT) > 10, "taught no end there, ending after read is surprising");
        assertTrue(worstEvent(learnedNoCutEnds, OpenSession.of(CUT)) < 3, "but a cut session is not judged ended");
    }

    @Test
    void splittingOneLongStreamLeavesItsFirstPartOpen() {
        List<String> stream = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            stream.add("line " + i);
        }
        Corpus.Split split = new Corpus(List.of(stream)).split(0.1, 1);
        assertFalse(OpenSession.ends(split.train().sessions().get(0)), "the stream goes on into the held-out part");
        assertTrue(OpenSession.ends(split.validation().sessions().get(0)), "where the stream really ends");
        Corpus.Split ofOpen = new Corpus(List.of(OpenSession.of(stream))).split(0.1, 1);
        assertFalse(OpenSession.ends(ofOpen.validation().sessions().get(0)));
    }
}
