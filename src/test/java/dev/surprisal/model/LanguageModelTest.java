package dev.surprisal.model;

import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.testing.TestModels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LanguageModelTest {

    private static final EventScorer SCORER = new EventScorer(3, 0);

    @ParameterizedTest
    @EnumSource(ModelSpec.Cell.class)
    void surprisalIsMinusLog2OfTheSoftmaxProbabilityOfAPlainForwardPass(ModelSpec.Cell cell) {
        try (LanguageModel model = TestModels.tinyByteModel(cell, 2, 10)) {
            int[] tokens = model.tokenizer().encode("abc");
            EventScore score = SCORER.score(model, model.initialState(), tokens);

            // Reference: the whole block, from a zero state, over [bos, a, b, c]; softmax by hand.
            int vocab = model.spec().vocabularySize();
            float[] logits = referenceLogits(model, new int[] {model.tokenizer().bosId(), 'a', 'b', 'c'});
            for (int t = 0; t < tokens.length; t++) {
                double[] p = softmax(Arrays.copyOfRange(logits, t * vocab, (t + 1) * vocab));
                assertEquals(-Math.log(p[tokens[t]]) / Math.log(2), score.tokens().get(t).surprisalBits(), 1e-4);
                double actual = p[tokens[t]];
                int rank = 1 + (int) Arrays.stream(p).filter(x -> x > actual).count();
                assertEquals(rank, score.tokens().get(t).rank());
                assertEquals(entropyBits(p), score.tokens().get(t).entropyBits(), 1e-4);
            }
            double[] next = softmax(Arrays.copyOfRange(logits, 3 * vocab, 4 * vocab));
            Integer[] byProbability = new Integer[vocab];
            for (int v = 0; v < vocab; v++) {
                byProbability[v] = v;
            }
            Arrays.sort(byProbability, (x, y) -> Double.compare(next[y], next[x]));
            for (int i = 0; i < 3; i++) {
                assertEquals(byProbability[i], score.next().get(i).tokenId());
                assertEquals(next[byProbability[i]], score.next().get(i).probability(), 1e-5);
            }
            assertEquals(entropyBits(next), score.nextEntropyBits(), 1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(ModelSpec.Cell.class)
    void twoEventsScoreExactlyLikeTheirConcatenation(ModelSpec.Cell cell) {
        try (LanguageModel model = TestModels.tinyByteModel(cell, 1, 10)) {
            EventScore first = SCORER.score(model, model.initialState(), model.tokenizer().encode("the cat sat"));
            EventScore second = SCORER.score(model, first.state(), model.tokenizer().encode(" on the mat"));
            EventScore whole = SCORER.score(model, model.initialState(),
                    model.tokenizer().encode("the cat sat on the mat"));

            for (int t = 0; t < whole.tokens().size(); t++) {
                EventScore.TokenResult split = t < 11 ? first.tokens().get(t) : second.tokens().get(t - 11);
                assertEquals(whole.tokens().get(t).surprisalBits(), split.surprisalBits(), 1e-4);
                assertEquals(whole.tokens().get(t).rank(), split.rank());
            }
            assertArrayEquals(whole.state(), second.state(), 1e-5f);
        }
    }

    @Test
    void anEventThatEndsItsSessionAlsoScoresTheEndWhenTheModelKnowsSessionEnds() {
        try (LanguageModel knows = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 10, true);
             LanguageModel doesNot = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 10, false)) {
            int[] tokens = knows.tokenizer().encode("bye");
            EventScore ended = SCORER.score(knows, knows.initialState(), tokens, true);
            EventScore open = SCORER.score(knows, knows.initialState(), tokens, false);
            assertEquals(4, ended.tokens().size());
            assertEquals(knows.tokenizer().bosId(), ended.tokens().get(3).tokenId());
            int[] withEnd = EventScorer.withEnd(knows, tokens, true);
            double endBits = -knows.forward(knows.initialState(), withEnd, 1).logProb(3) / Math.log(2);
            assertEquals(endBits, ended.tokens().get(3).surprisalBits(), 1e-4,
                    "the end is scored by the prediction after the event");
            assertEquals(open.tokens().get(2).surprisalBits(), ended.tokens().get(2).surprisalBits(), 1e-6);
            assertEquals(3, SCORER.score(doesNot, doesNot.initialState(), tokens, true).tokens().size());
        }
    }

    @ParameterizedTest
    @EnumSource(ModelSpec.Cell.class)
    void aBatchOfSessionsGivesEachTheScoresAndStateOfItsOwnCall(ModelSpec.Cell cell) {
        try (LanguageModel model = TestModels.tinyByteModel(cell, 2, 10)) {
            List<String> texts = List.of("short", "a rather longer event", "x", "mid length", "same size!");
            List<float[]> states = new ArrayList<>();
            List<int[]> tokens = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                // sessions in different places: some fresh, some after earlier text
                states.add(i % 2 == 0 ? model.initialState() : model.stateAfter("earlier " + i));
                tokens.add(model.tokenizer().encode(texts.get(i)));
            }
            List<LanguageModel.Forward> batched = model.forwardBatch(states, tokens, 4);
            for (int i = 0; i < texts.size(); i++) {
                LanguageModel.Forward alone = model.forward(states.get(i), tokens.get(i), 4);
                assertSameForward(alone, batched.get(i), texts.get(i));
            }
        }
    }

    @Test
    void segmentsCutInTimeToBoundNativeMemoryGiveTheSameScores() {
        try (LanguageModel model = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 2, 10)) {
            List<String> texts = List.of("a long event that is cut into many pieces", "short", "mid-sized one");
            List<float[]> states = new ArrayList<>();
            List<int[]> tokens = new ArrayList<>();
            for (String text : texts) {
                states.add(model.initialState());
                tokens.add(model.tokenizer().encode(text));
            }
            List<LanguageModel.Forward> whole = model.forwardBatch(states, tokens, 3);
            System.setProperty("surprisal.max.logits.per.call", Integer.toString(3 * 4 * 256)); // 3 sessions, 3 steps
            try {
                List<LanguageModel.Forward> cut = model.forwardBatch(states, tokens, 3);
                for (int i = 0; i < texts.size(); i++) {
                    assertSameForward(whole.get(i), cut.get(i), texts.get(i));
                }
            } finally {
                System.clearProperty("surprisal.max.logits.per.call");
            }
        }
    }

    @Test
    void withoutTopKAtEveryPositionThePredictionAfterEachEventIsTheSame() {
        try (LanguageModel model = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 10)) {
            List<String> texts = List.of("a long event that is cut into pieces", "short", "mid-sized one", "short");
            List<float[]> states = new ArrayList<>();
            List<int[]> tokens = new ArrayList<>();
            for (String text : texts) {
                states.add(model.stateAfter("before " + text));
                tokens.add(model.tokenizer().encode(text));
            }
            List<LanguageModel.Forward> everywhere = model.forwardBatch(states, tokens, 3, true);
            System.setProperty("surprisal.max.logits.per.call", Integer.toString(4 * 5 * 256)); // segments cut in time
            try {
                List<LanguageModel.Forward> lastOnly = model.forwardBatch(states, tokens, 3, false);
                for (int i = 0; i < texts.size(); i++) {
                    LanguageModel.Forward all = everywhere.get(i);
                    LanguageModel.Forward last = lastOnly.get(i);
                    int end = all.positions() - 1;
                    assertArrayEquals(all.logProb(), last.logProb(), 1e-4f);
                    assertArrayEquals(all.rank(), last.rank());
                    assertArrayEquals(all.entropy(), last.entropy(), 1e-4f);
                    for (int j = 0; j < 3; j++) {
                        assertEquals(all.topId(end, j), last.topId(end, j), texts.get(i));
                        assertEquals(all.topLogProb(end, j), last.topLogProb(end, j), 1e-4f, texts.get(i));
                    }
                    assertArrayEquals(all.state(), last.state(), 1e-5f);
                }
            } finally {
                System.clearProperty("surprisal.max.logits.per.call");
            }
        }
    }

    private static void assertSameForward(LanguageModel.Forward expected, LanguageModel.Forward actual, String what) {
        assertEquals(expected.positions(), actual.positions());
        assertArrayEquals(expected.logProb(), actual.logProb(), 1e-4f, what);
        assertArrayEquals(expected.rank(), actual.rank(), what);
        assertArrayEquals(expected.entropy(), actual.entropy(), 1e-4f, what);
        assertArrayEquals(expected.topIds(), actual.topIds(), what);
        assertArrayEquals(expected.topLogProbs(), actual.topLogProbs(), 1e-4f, what);
        assertArrayEquals(expected.state(), actual.state(), 1e-5f, what);
    }

    private static double entropyBits(double[] p) {
        double h = 0;
        for (double x : p) {
            h -= x > 0 ? x * Math.log(x) / Math.log(2) : 0;
        }
        return h;
    }

    @Test
    void chainedSingleStepsEqualOneSequenceCall() {
        try (LanguageModel model = TestModels.tinyByteModel()) {
            int[] tokens = model.tokenizer().encode("single steps");
            float[] state = model.initialState();
            for (int token : tokens) {
                state = model.advance(state, new int[] {token});
            }
            assertArrayEquals(model.advance(model.initialState(), tokens), state, 1e-5f);
        }
    }

    @Test
    void saveThenLoadGivesIdenticalScores(@TempDir Path dir) throws Exception {
        try (LanguageModel model = TestModels.tinyByteModel(ModelSpec.Cell.GRU, 2, 10)) {
            ModelArtifact.save(model, dir);
            int[] tokens = model.tokenizer().encode("round trip");
            EventScore before = SCORER.score(model, model.initialState(), tokens);
            try (LanguageModel fromDir = ModelArtifact.load(dir);
                 LanguageModel fromBytes = ModelArtifact.fromBytes(ModelArtifact.toBytes(model))) {
                for (LanguageModel loaded : new LanguageModel[] {fromDir, fromBytes}) {
                    assertEquals(model.manifest(), loaded.manifest());
                    EventScore after = SCORER.score(loaded, loaded.initialState(), tokens);
                    for (int t = 0; t < tokens.length; t++) {
                        assertEquals(before.tokens().get(t).surprisalBits(), after.tokens().get(t).surprisalBits(), 0.0);
                    }
                }
            }
        }
    }

    @Test
    void weightsOfAnotherArchitectureAreRefused() {
        try (LanguageModel lstm = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 10)) {
            byte[] artifact = ModelArtifact.toBytes(lstm);
            byte[] truncated = Arrays.copyOf(artifact, artifact.length / 2);
            assertThrows(Exception.class, () -> ModelArtifact.fromBytes(truncated));
        }
    }

    @Test
    void concurrentCallsFromSeveralStreamThreadsGiveTheSameScores() throws Exception {
        try (LanguageModel model = TestModels.tinyByteModel()) {
            int[] tokens = model.tokenizer().encode("concurrent scoring");
            EventScore expected = SCORER.score(model, model.initialState(), tokens);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<Double>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    results.add(pool.submit(() -> SCORER.score(model, model.initialState(), tokens).totalBits()));
                }
                for (java.util.concurrent.Future<Double> r : results) {
                    assertEquals(expected.totalBits(), r.get(), 1e-4);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static float[] referenceLogits(LanguageModel model, int[] tokens) {
        ModelSpec spec = model.spec();
        try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
            Shape state = new Shape(spec.layers(), 1, spec.hiddenSize());
            NDList in = new NDList(m.create(tokens, new Shape(1, tokens.length)), m.zeros(state));
            if (spec.cell() == ModelSpec.Cell.LSTM) {
                in.add(m.zeros(state));
            }
            NDArray logits = model.block().forward(new ParameterStore(m, false), in, false).head();
            return logits.toFloatArray();
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
