package dev.surprisal.model;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.SessionStateSerde;
import dev.surprisal.testing.TestModels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterpolationTest {

    private static final double WEIGHT = 0.3;

    /** A tiny untrained network kept with a byte trigram trained on a little text, mixing it in or not. */
    private static LanguageModel withBaseline(LanguageModel network, double weight) throws Exception {
        List<int[]> text = new ArrayList<>();
        for (String line : List.of("the cat sat on the mat", "the dog sat on the log", "a cat and a dog")) {
            text.add(network.tokenizer().encode(line));
        }
        KneserNey kn = KneserNey.train(3, network.spec().vocabularySize(), network.tokenizer().bosId(), text);
        try (LanguageModel kept = ModelArtifact.withBaseline(network, kn)) {
            return ModelArtifact.withManifest(kept, kept.manifest().withBaselineWeight(weight));
        }
    }

    @Test
    void everyTokensProbabilityIsTheMixtureOfTheNetworksAndTheBaselines() throws Exception {
        try (LanguageModel tiny = TestModels.tinyByteModel();
             LanguageModel network = withBaseline(tiny, 0);
             LanguageModel mixed = withBaseline(tiny, WEIGHT)) {
            KneserNey kn = mixed.baseline().orElseThrow();
            int[] tokens = mixed.tokenizer().encode("the cat");
            LanguageModel.Forward plain = network.forward(network.initialState(), tokens, 3);
            LanguageModel.Forward mix = mixed.forward(mixed.initialState(), tokens, 3);
            KneserNey.Prediction[] counts = kn.newSession().score(tokens);
            for (int t = 0; t < tokens.length; t++) {
                double expected = (1 - WEIGHT) * Math.exp(plain.logProb(t)) + WEIGHT * counts[t].probability();
                assertEquals(Math.log(expected), mix.logProb(t), 1e-5);
                assertEquals(plain.rank(t), mix.rank(t), "ranks stay the network's");
            }
            // the predictions after the event are mixed too, most likely first
            for (int i = 1; i < 3; i++) {
                assertTrue(mix.topLogProb(tokens.length, i - 1) >= mix.topLogProb(tokens.length, i));
            }
            assertEquals(network.spec().stateSize() + 2, mixed.stateSize(), "a trigram's history rides along");
            assertEquals(network.spec().stateSize(), network.stateSize());
        }
    }

    @Test
    void theBaselinesHistoryIsCarriedAcrossEventsAndPriming(@TempDir Path dir) throws Exception {
        EventScorer scorer = new EventScorer(3, 0);
        try (LanguageModel tiny = TestModels.tinyByteModel(); LanguageModel mixed = withBaseline(tiny, WEIGHT)) {
            int[] both = mixed.tokenizer().encode("the cat sat");
            EventScore whole = scorer.score(mixed, mixed.initialState(), both);
            EventScore first = scorer.score(mixed, mixed.initialState(), mixed.tokenizer().encode("the c"));
            EventScore second = scorer.score(mixed, first.state(), mixed.tokenizer().encode("at sat"));
            assertEquals(whole.totalBits(), first.totalBits() + second.totalBits(), 1e-3);
            assertArrayEquals(whole.state(), second.state(), 1e-5f);
            assertArrayEquals(whole.state(), mixed.stateAfter("the cat sat"), 1e-5f);

            ModelArtifact.save(mixed, dir);
            try (LanguageModel loaded = ModelArtifact.load(dir)) {
                assertEquals(WEIGHT, loaded.manifest().baselineWeight(), 0);
                assertEquals(whole.totalBits(), scorer.score(loaded, loaded.initialState(), both).totalBits(), 1e-4);
            }
        }
    }

    @Test
    void aSessionStoredByTheNetworkAloneIsPrimedWhenTheBaselineIsMixedIn() throws Exception {
        SessionScorer scorer = new SessionScorer(new ScorerConfig(Map.of()).scoring());
        try (LanguageModel tiny = TestModels.tinyByteModel();
             LanguageModel network = withBaseline(tiny, 0);
             LanguageModel mixed = withBaseline(tiny, WEIGHT)) {
            // same weights, so the same version: only the state's shape tells them apart
            assertEquals(network.version(), mixed.version());
            SessionScorer.Outcome first = scorer.score(network, null, "s", event("e1", "GET /a"), 1);
            SessionStateSerde serde = new SessionStateSerde();
            SessionState restored = serde.deserializer().deserialize("t",
                    serde.serializer().serialize("t", first.next()));

            SessionScorer.Outcome second = scorer.score(mixed, restored, "s", event("e2", " 200"), 2);

            assertFalse(second.rejected(), "a valid event is scored, not dead-lettered");
            assertEquals(mixed.stateSize(), second.next().recurrent().length);
            assertArrayEquals(mixed.stateAfter("GET /a 200"), second.next().recurrent(), 1e-5f);
        }
    }

    private static TextEvent event(String id, String text) {
        return new TextEvent(id, "s", text, Instant.ofEpochMilli(1), false, null);
    }
}
