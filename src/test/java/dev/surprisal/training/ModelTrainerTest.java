package dev.surprisal.training;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.scoring.CorpusScore;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelTrainerTest {

    /** Sessions of a tiny regular language: a model that learns anything beats uniform by far. */
    private static Corpus corpus(long seed) {
        Random random = new Random(seed);
        List<List<String>> sessions = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            List<String> events = new ArrayList<>();
            events.add("login user" + random.nextInt(10) + ";");
            for (int e = random.nextInt(3); e >= 0; e--) {
                events.add("get item" + random.nextInt(100) + ";");
            }
            events.add("logout;");
            sessions.add(events);
        }
        return new Corpus(sessions);
    }

    @Test
    void learnsARegularLanguageAndCalibratesAThreshold() throws Exception {
        List<TrainingProgress> progress = new ArrayList<>();
        List<TrainingProgress.Epoch> epochs = new ArrayList<>();
        TrainingOptions options = TrainingOptions.defaults()
                .withModel(ModelSpec.Cell.LSTM, 16, 32, 1)
                .withSchedule(6, 8, 1e-2f, 7);
        TrainingProgress.Listener listener = new TrainingProgress.Listener() {
            @Override
            public void onProgress(TrainingProgress p) {
                progress.add(p);
            }

            @Override
            public void onEpoch(TrainingProgress.Epoch e) {
                epochs.add(e);
            }
        };
        try (LanguageModel model = new ModelTrainer(options, listener).train(corpus(1))) {
            double perplexity = model.manifest().metrics().validationPerplexity();
            // Uniform over 257 bytes is 257; the language has a handful of choices per position.
            assertTrue(perplexity < 6, "validation perplexity " + perplexity);
            assertTrue(model.manifest().anomalyThreshold() > 1);
            assertTrue(model.version().startsWith("v"), model.version());
            assertTrue(progress.get(progress.size() - 1).loss() < progress.get(0).loss());
            assertEquals(progress.size(), epochs.size() * progress.get(0).totalSteps());

            // The manifest's figure is what the scoring path measures on the same held-out text.
            Corpus.Split split = corpus(1).split(options.validationFraction(), options.seed());
            assertEquals(perplexity, CorpusScore.of(model, split.validation().sessions()).perplexity(), 1e-9);
        }
    }

    @Test
    void stopsWhenValidationStopsImprovingAndKeepsTheBestEpoch() throws Exception {
        List<TrainingProgress.Epoch> epochs = new ArrayList<>();
        TrainingOptions options = TrainingOptions.defaults()
                .withModel(ModelSpec.Cell.LSTM, 16, 32, 1)
                .withSchedule(200, 8, 2e-2f, 11)
                .withStopping(2, java.time.Duration.ZERO);
        TrainingProgress.Listener listener = new TrainingProgress.Listener() {
            @Override
            public void onProgress(TrainingProgress p) {
            }

            @Override
            public void onEpoch(TrainingProgress.Epoch e) {
                epochs.add(e);
            }
        };
        try (LanguageModel model = new ModelTrainer(options, listener).train(corpus(3))) {
            assertTrue(epochs.size() < 200, "stopped after " + epochs.size() + " epochs");
            TrainingProgress.Epoch best = epochs.stream()
                    .min(java.util.Comparator.comparingDouble(TrainingProgress.Epoch::validationLoss)).orElseThrow();
            // the last epochs did not improve, each halved the rate, and the best one's weights were kept
            assertTrue(!epochs.get(epochs.size() - 1).best() && !epochs.get(epochs.size() - 2).best());
            assertTrue(epochs.get(epochs.size() - 1).learningRate() < 2e-2f);
            assertEquals(best.epoch(), (int) model.manifest().metrics().bestEpoch());
            assertEquals(epochs.size(), (int) model.manifest().metrics().epochs());
            assertEquals(best.validationBitsPerToken(), model.manifest().metrics().validationBitsPerToken(),
                    1e-3 * best.validationBitsPerToken(), "the scoring path measures the kept epoch's loss");
            assertTrue(model.baseline().isPresent(), "a Kneser-Ney baseline is kept with the model");
        }
    }

    @Test
    void wordAndKeysTokenizersTrainToo() throws Exception {
        for (String tokenizer : List.of("word", "keys", "template")) {
            TrainingOptions options = TrainingOptions.defaults().withTokenizer(tokenizer)
                    .withModel(ModelSpec.Cell.GRU, 8, 16, 1).withSchedule(2, 8, 1e-2f, 3);
            try (LanguageModel model = new ModelTrainer(options, TrainingProgress.Listener.NONE).train(corpus(2))) {
                assertEquals(tokenizer, model.tokenizer().spec().type());
                assertTrue(model.manifest().metrics().validationPerplexity() < model.spec().vocabularySize());
            }
        }
    }

    @Test
    void theBaselinesWeightIsFittedOrGivenAndAFineTuneKeepsItsParents() throws Exception {
        TrainingOptions options = TrainingOptions.defaults().withTokenizer("word")
                .withModel(ModelSpec.Cell.GRU, 8, 16, 1).withSchedule(2, 8, 1e-2f, 3);
        try (LanguageModel fitted = new ModelTrainer(options, TrainingProgress.Listener.NONE).train(corpus(2));
             LanguageModel given = new ModelTrainer(options.withBaselineWeight(0.3), TrainingProgress.Listener.NONE)
                     .train(corpus(2));
             LanguageModel fineTune = new ModelTrainer(options, TrainingProgress.Listener.NONE).train(corpus(3), given)) {
            double w = fitted.manifest().baselineWeight();
            assertTrue(w >= 0 && w < 1, "a share: " + w);
            assertEquals(0.3, given.manifest().baselineWeight(), 0);
            assertEquals(0.3, fineTune.manifest().baselineWeight(), 0);
            assertEquals(given.stateSize(), fineTune.stateSize(), "the mixture's history rides in the state");
        }
    }

    @Test
    void aFineTuneWithTooFewHeldOutSessionsToCutGKeepsItsParents() throws Exception {
        // 60 sessions hold out 6: too few to cut g (a key model trained on them from scratch has the rule off)
        TrainingOptions options = TrainingOptions.defaults().withTokenizer("keys")
                .withModel(ModelSpec.Cell.GRU, 8, 16, 1).withSchedule(1, 8, 1e-2f, 3);
        try (LanguageModel scratch = new ModelTrainer(options, TrainingProgress.Listener.NONE).train(corpus(2));
             LanguageModel parent = ModelArtifact.withManifest(scratch, withTopG(scratch.manifest(), 7));
             LanguageModel fineTune = new ModelTrainer(options, TrainingProgress.Listener.NONE).train(corpus(3), parent)) {
            assertEquals(0, scratch.manifest().topG());
            assertEquals(7, fineTune.manifest().topG(), "the parent's g, not the rule turned off");
        }
    }

    private static ModelManifest withTopG(ModelManifest m, int g) {
        return new ModelManifest(m.formatVersion(), m.version(), m.createdAt(), m.spec(), m.tokenizer(),
                m.anomalyThreshold(), m.thresholdPercentile(), m.metrics(), m.scoresSessionEnd(), g, m.baselineWeight());
    }
}
