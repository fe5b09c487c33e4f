package dev.surprisal.training;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Trains a model from scratch: Adam on softmax cross-entropy, gradient clipping, truncated BPTT.
 *
 * <p>Every session is trained from a zero state and starts with the session-start token, exactly
 * as the scorer starts a session, so held-out perplexity predicts what the scorer will see.
 * Sessions are batched with others of similar length; padding is masked out of the loss.
 */
public final class ModelTrainer {

    private final TrainingOptions options;
    private final TrainingProgress.Listener listener;

    public ModelTrainer(TrainingOptions options, TrainingProgress.Listener listener) {
        this.options = options;
        this.listener = listener;
    }

    public LanguageModel train(Corpus corpus) throws MalformedModelException {
        return train(corpus, null);
    }

    /**
     * @param base when not null, fine-tune: start from its weights, tokenizer and architecture
     *             (the options' architecture and tokenizer are then ignored)
     */
    public LanguageModel train(Corpus corpus, LanguageModel base) throws MalformedModelException {
        Instant started = Instant.now();
        Corpus.Split split = corpus.split(options.validationFraction(), options.seed());
        Tokenizer tokenizer = base != null ? base.tokenizer() : Tokenizers.train(options.tokenizer(), split.train().texts());
        ModelSpec spec = base != null ? base.spec() : new ModelSpec(options.cell(), tokenizer.vocabularySize(),
                options.embeddingSize(), options.hiddenSize(), options.layers());
        String createdAt = started.truncatedTo(ChronoUnit.SECONDS).toString();
        ModelManifest untrained = new ModelManifest(ModelManifest.FORMAT_VERSION, "untrained", createdAt, spec,
                tokenizer.spec(), 0, options.thresholdPercentile(), TrainingMetrics.NONE, true, 0);

        Engine.getInstance().setRandomSeed((int) options.seed());
        List<int[]> sequences = sequences(split.train(), tokenizer);
        try (LanguageModel model = base != null ? ModelArtifact.withManifest(base, untrained)
                : ModelArtifact.initialise(untrained)) {
            StepClock clock = runEpochs(model, sequences);
            return calibrate(model, split.validation(), clock, started);
        }
    }

    private LanguageModel calibrate(LanguageModel trained, Corpus validation, StepClock clock, Instant started)
            throws MalformedModelException {
        try (LanguageModel candidate = ModelArtifact.withManifest(trained, trained.manifest())) {
            CorpusScore held = CorpusScore.of(candidate, validation.sessions());
            double threshold = held.anomalyThreshold(options.thresholdPercentile());
            TrainingMetrics metrics = new TrainingMetrics(held.perplexity(), held.bitsPerToken(), held.tokens(),
                    held.eventPerplexities().length,
                    held.sessionMaxPerplexities().length >= CorpusScore.MIN_SESSIONS_FOR_SESSION_CALIBRATION ? 1 : 0,
                    clock.tokens, clock.tokensPerSecond(), clock.lastLoss,
                    Duration.between(started, Instant.now()).toMillis() / 1000.0);
            ModelManifest m = trained.manifest();
            ModelManifest calibrated = new ModelManifest(m.formatVersion(), m.version(), m.createdAt(), m.spec(),
                    m.tokenizer(), threshold, options.thresholdPercentile(), metrics, m.scoresSessionEnd(),
                    held.topG(options.thresholdPercentile()));
            return ModelArtifact.withManifest(candidate,
                    calibrated.withVersion(ModelArtifact.versionFor(candidate, m.createdAt())));
        }
    }

    private StepClock runEpochs(LanguageModel model, List<int[]> sequences) {
        List<List<int[]>> batches = batches(sequences);
        long stepsPerEpoch = batches.stream().mapToLong(this::windows).sum();
        long totalSteps = stepsPerEpoch * options.epochs();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Adam.builder()
                        .optLearningRateTracker(Tracker.fixed(options.learningRate()))
                        .optClipGrad(options.clipGradient())
                        .build());
        Random random = new Random(options.seed());
        StepClock clock = new StepClock(totalSteps);
        try (Trainer trainer = model.newTrainer(config, options.batchSize(), options.bptt())) {
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                Collections.shuffle(batches, random);
                for (List<int[]> batch : batches) {
                    trainBatch(trainer, model.spec(), batch, epoch, clock);
                }
            }
        }
        return clock;
    }

    private void trainBatch(Trainer trainer, ModelSpec spec, List<int[]> batch, int epoch, StepClock clock) {
        int rows = batch.size();
        int length = batch.stream().mapToInt(s -> s.length).max().orElseThrow() - 1;
        try (NDManager batchManager = trainer.getManager().newSubManager()) {
            Shape stateShape = new Shape(spec.layers(), rows, spec.hiddenSize()); // (layers, batch, hidden)
            NDList state = new NDList(batchManager.zeros(stateShape));
            if (spec.cell() == ModelSpec.Cell.LSTM) {
                state.add(batchManager.zeros(stateShape));
            }
            for (int from = 0; from < length; from += options.bptt()) {
                int width = Math.min(options.bptt(), length - from);
                state = trainWindow(trainer, batchManager, batch, from, width, state, epoch, clock);
            }
        }
    }

    /** One optimiser step on columns [from, from + width) of the batch; returns the detached state. */
    private NDList trainWindow(Trainer trainer, NDManager batchManager, List<int[]> batch, int from, int width,
                               NDList state, int epoch, StepClock clock) {
        int rows = batch.size();
        int[] inputs = new int[rows * width];
        long[] labels = new long[rows * width];
        float[] mask = new float[rows * width];
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            int[] seq = batch.get(r);
            for (int t = 0; t < width; t++) {
                int i = from + t;
                if (i + 1 < seq.length) {
                    inputs[r * width + t] = seq[i];
                    labels[r * width + t] = seq[i + 1];
                    mask[r * width + t] = 1f;
                    counted++;
                }
            }
        }
        try (NDManager m = batchManager.newSubManager()) {
            NDList in = new NDList(m.create(inputs, new Shape(rows, width))); // (batch, time)
            in.addAll(state);
            NDArray y = m.create(labels, new Shape(rows, width, 1));          // (batch, time, 1)
            NDArray weights = m.create(mask, new Shape(rows, width));         // (batch, time)
            NDList out;
            double loss;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                out = trainer.forward(in);
                NDArray logProbs = out.head().logSoftmax(2);                   // (batch, time, vocab)
                NDArray picked = logProbs.gather(y, 2).squeeze(2);             // (batch, time)
                NDArray mean = picked.mul(weights).sum().neg().div(Math.max(1, counted));
                gc.backward(mean);
                loss = mean.getFloat();
            }
            trainer.step();
            NDList next = new NDList();
            for (NDArray s : out.subNDList(1)) {
                NDArray detached = s.stopGradient();
                detached.attach(batchManager);
                next.add(detached);
            }
            clock.step(counted, loss);
            listener.onProgress(new TrainingProgress(epoch, options.epochs(), clock.steps, clock.totalSteps, loss,
                    clock.tokensPerSecond(), clock.eta()));
            return next;
        }
    }

    private long windows(List<int[]> batch) {
        int length = batch.stream().mapToInt(s -> s.length).max().orElseThrow() - 1;
        return (length + options.bptt() - 1) / options.bptt();
    }

    /**
     * Each session as [bos, tokens…, bos]: the closing bos teaches the model where sessions end.
     * Cut into segments that overlap by one token so no label is lost.
     */
    private List<int[]> sequences(Corpus train, Tokenizer tokenizer) {
        List<int[]> out = new ArrayList<>();
        int segment = options.maxSegmentTokens();
        for (List<String> session : train.sessions()) {
            List<int[]> parts = new ArrayList<>();
            int total = 2;
            for (String text : session) {
                int[] ids = tokenizer.encode(text);
                parts.add(ids);
                total += ids.length;
            }
            int[] seq = new int[total];
            seq[0] = tokenizer.bosId();
            int at = 1;
            for (int[] ids : parts) {
                System.arraycopy(ids, 0, seq, at, ids.length);
                at += ids.length;
            }
            seq[at] = tokenizer.bosId();
            for (int from = 0; from + 1 < seq.length; from += segment) {
                out.add(java.util.Arrays.copyOfRange(seq, from, Math.min(seq.length, from + segment + 1)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the training text has no tokens");
        }
        return out;
    }

    private List<List<int[]>> batches(List<int[]> sequences) {
        List<int[]> sorted = new ArrayList<>(sequences);
        sorted.sort(Comparator.comparingInt(s -> s.length));
        List<List<int[]>> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i += options.batchSize()) {
            out.add(sorted.subList(i, Math.min(sorted.size(), i + options.batchSize())));
        }
        return out;
    }

    /** Counts steps and tokens for progress, throughput and ETA. */
    private static final class StepClock {
        private final long totalSteps;
        private final long startNanos = System.nanoTime();
        private long steps;
        private long tokens;
        private double lastLoss = Double.NaN;

        StepClock(long totalSteps) {
            this.totalSteps = totalSteps;
        }

        void step(int stepTokens, double loss) {
            steps++;
            tokens += stepTokens;
            lastLoss = loss;
        }

        double tokensPerSecond() {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            return seconds <= 0 ? 0 : tokens / seconds;
        }

        Duration eta() {
            long elapsed = System.nanoTime() - startNanos;
            return steps == 0 ? Duration.ZERO : Duration.ofNanos(elapsed / steps * (totalSteps - steps));
        }
    }
}
