package dev.surprisal.training;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.ReplaySample;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.tokenize.TemplateTokenizer;
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
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Trains a model: Adam on softmax cross-entropy, gradient clipping, truncated BPTT, dropout and
 * weight decay as the options (or {@link ModelSizing}) say.
 *
 * <p>Nobody should have to guess a number of epochs. After every epoch the loss on the held-out
 * sessions is measured; the weights of the best epoch are kept; an epoch that does not improve on it
 * halves the learning rate, and {@code patience} such epochs in a row stop training. The epoch cap
 * and the time budget bound the run whatever happens.
 *
 * <p>Every session is trained from a zero state and starts with the session-start token, exactly
 * as the scorer starts a session, so held-out perplexity predicts what the scorer will see.
 * Sessions are batched with others of similar length; padding is masked out of the loss.
 */
public final class ModelTrainer {

    /** Relative fall in validation loss that counts as an improvement. */
    private static final double MIN_IMPROVEMENT = 1e-3;
    private static final float LR_DECAY = 0.5f;

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
        Corpus.Split split = corpus.split(options.heldOutFraction(corpus), options.seed());
        // a template model's fine-tune learns the templates that were new to its parent (learned while scoring)
        Tokenizer tokenizer = base == null ? tokenizer(split.train())
                : base.tokenizer() instanceof TemplateTokenizer templates ? templates.extendedWith(split.train().texts())
                : base.tokenizer();
        List<int[]> trainSessions = BaselineTrainer.encode(split.train(), tokenizer);
        List<int[]> sequences = TrainingSequences.segments(trainSessions, BaselineTrainer.ends(split.train()), tokenizer.bosId(),
                options.maxSegmentTokens());
        List<int[]> validation = TrainingSequences.segments(BaselineTrainer.encode(split.validation(), tokenizer),
                BaselineTrainer.ends(split.validation()), tokenizer.bosId(), options.maxSegmentTokens());
        if (trainSessions.stream().allMatch(ids -> ids.length == 0)) {
            throw new IllegalArgumentException("the training text has no tokens");
        }
        ModelSpec spec = base != null ? base.spec().withVocabularySize(tokenizer.vocabularySize())
                : ModelSizing.choose(options, tokenizer, sequences.stream().mapToLong(s -> s.length - 1).sum());
        String createdAt = started.truncatedTo(ChronoUnit.SECONDS).toString();
        ModelManifest untrained = new ModelManifest(ModelManifest.FORMAT_VERSION, "untrained", createdAt, spec,
                tokenizer.spec(), 0, options.thresholdPercentile(), TrainingMetrics.NONE, true, 0);

        Engine.getInstance().setRandomSeed((int) options.seed());
        try (LanguageModel model = base != null ? ModelArtifact.grownFrom(base, untrained)
                : ModelArtifact.initialise(untrained)) {
            Run run = runEpochs(model, sequences, validation, started);
            try (LanguageModel best = ModelArtifact.fromWeights(untrained, run.bestWeights);
                 LanguageModel kept = ModelArtifact.withReplay(best, ReplaySample.of(split.train().sessions(),
                         split.validation().sessions(), options.seed()));
                 LanguageModel withBaseline = options.baselineOrder() == 0 ? null
                         : ModelArtifact.withBaseline(kept, BaselineTrainer.train(options.baselineOrder(),
                                 tokenizer, split.train(), split.validation(), options.thresholdPercentile()))) {
                if (withBaseline == null) {
                    return calibrate(kept, split.validation(), run, started, base);
                }
                // a fine-tune keeps its parent's weight: its baseline counts little but the recent range, and a
                // weight refitted on that trades older traffic for the newest (the retrain demo's fine-tune: 1.575
                // on the parent's held-out text, past the forgetting limit, against 1.538 with the parent's weight)
                double weight = options.baselineWeight() != null ? options.baselineWeight()
                        : base != null ? base.manifest().baselineWeight()
                        : BaselineWeight.fit(withBaseline, withBaseline.baseline().orElseThrow(),
                                split.validation().sessions());
                try (LanguageModel mixed = ModelArtifact.withManifest(withBaseline,
                        withBaseline.manifest().withBaselineWeight(weight))) {
                    return calibrate(mixed, split.validation(), run, started, base);
                }
            }
        }
    }

    private Tokenizer tokenizer(Corpus train) {
        if (options.givenTemplates() != null) {
            return TemplateTokenizer.given(options.givenTemplates());
        }
        if (Tokenizers.TEMPLATE.equalsIgnoreCase(options.tokenizer())) {
            return Tokenizers.trainTemplates(train.texts(), options.templates());
        }
        return Tokenizers.train(options.tokenizer(), train.texts(), options.endOfEvent() != null
                ? options.endOfEvent() : Tokenizers.endsEventsByDefault(options.tokenizer()));
    }

    /** @param base the fine-tune's parent, or null */
    private LanguageModel calibrate(LanguageModel trained, Corpus validation, Run run, Instant started, LanguageModel base)
            throws MalformedModelException {
        CorpusScore held = CorpusScore.of(trained, validation.sessions());
        boolean bySessions = held.sessionWorstRanks().length >= CorpusScore.MIN_SESSIONS_FOR_SESSION_CALIBRATION;
        CorpusScore.Calibration rules = held.calibrate(options.thresholdPercentile(),
                Tokenizers.oneTokenPerEvent(trained.tokenizer().spec().type()));
        // a drift fine-tune on a short range may hold out too few sessions to cut g: it keeps its parent's
        // rather than turning the top-g rule off
        int topG = !bySessions && base != null ? base.manifest().topG() : rules.topG();
        StepClock clock = run.clock;
        TrainingMetrics metrics = new TrainingMetrics(held.perplexity(), held.bitsPerToken(), held.tokens(),
                held.eventPerplexities().length,
                bySessions ? 1 : 0,
                clock.tokens, clock.tokensPerSecond(), clock.lastLoss,
                Duration.between(started, Instant.now()).toMillis() / 1000.0, run.epochs, run.bestEpoch);
        ModelManifest m = trained.manifest();
        ModelManifest calibrated = new ModelManifest(m.formatVersion(), m.version(), m.createdAt(), m.spec(),
                m.tokenizer(), rules.threshold(), options.thresholdPercentile(), metrics, m.scoresSessionEnd(),
                topG, m.baselineWeight());
        return ModelArtifact.withManifest(trained, calibrated.withVersion(ModelArtifact.versionFor(trained, m.createdAt())));
    }

    private Run runEpochs(LanguageModel model, List<int[]> sequences, List<int[]> validation, Instant started) {
        List<List<int[]>> batches = TrainingSequences.batches(sequences, options.batchSize());
        List<List<int[]>> validationBatches = TrainingSequences.batches(validation, options.batchSize());
        long stepsPerEpoch = batches.stream().mapToLong(b -> TrainingSequences.windows(b, options.bptt())).sum();
        LearningRate rate = new LearningRate(options.learningRate());
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Adam.builder()
                        .optLearningRateTracker(rate)
                        .optWeightDecays(options.weightDecay())
                        .optClipGrad(options.clipGradient())
                        .build());
        Random random = new Random(options.seed());
        Instant deadline = options.timeBudget().isZero() ? null : started.plus(options.timeBudget());
        Run run = new Run();
        try (Trainer trainer = model.newTrainer(config, options.batchSize(), options.bptt())) {
            double bestLoss = Double.POSITIVE_INFINITY;
            int stale = 0;
            for (int epoch = 1; epoch <= options.maxEpochs() && stale < options.patience(); epoch++) {
                run.clock = new StepClock(stepsPerEpoch, run.clock);
                Collections.shuffle(batches, random);
                double lossSum = 0;
                for (List<int[]> batch : batches) {
                    if (deadline != null && Instant.now().isAfter(deadline)) {
                        break;
                    }
                    lossSum += trainBatch(trainer, model.spec(), batch, epoch, run.clock);
                }
                double validationLoss = validationLoss(trainer, model.spec(), validationBatches);
                boolean best = validationLoss == Double.NEGATIVE_INFINITY || validationLoss < bestLoss * (1 - MIN_IMPROVEMENT);
                run.epochs = epoch;
                if (best || run.bestWeights == null) {
                    bestLoss = Math.min(bestLoss, validationLoss);
                    run.bestEpoch = epoch;
                    run.bestWeights = ModelArtifact.snapshot(model);
                    stale = 0;
                } else {
                    stale++;
                    rate.value *= LR_DECAY;
                }
                listener.onEpoch(new TrainingProgress.Epoch(epoch, lossSum / Math.max(1, run.clock.steps),
                        validationLoss, best, rate.value, Duration.between(started, Instant.now())));
                if (deadline != null && Instant.now().isAfter(deadline)) {
                    break;
                }
            }
        }
        return run;
    }

    /** Mean nats per token over the held-out sequences, teacher-forced, without dropout. */
    private double validationLoss(Trainer trainer, ModelSpec spec, List<List<int[]>> batches) {
        double nats = 0;
        long tokens = 0;
        for (List<int[]> batch : batches) {
            int length = batch.stream().mapToInt(s -> s.length).max().orElseThrow() - 1;
            try (NDManager batchManager = trainer.getManager().newSubManager()) {
                NDList state = zeroState(batchManager, spec, batch.size());
                for (int from = 0; from < length; from += options.bptt()) {
                    int width = Math.min(options.bptt(), length - from);
                    TrainingSequences.Window w = TrainingSequences.Window.of(batch, from, width);
                    try (NDManager m = batchManager.newSubManager()) {
                        NDList in = new NDList(m.create(w.inputs(), new Shape(batch.size(), width))); // (batch, time)
                        in.addAll(state);
                        NDList out = trainer.evaluate(in);
                        NDArray picked = out.head().logSoftmax(2)                                 // (batch, time, vocab)
                                .gather(m.create(w.labels(), new Shape(batch.size(), width, 1)), 2).squeeze(2);
                        nats -= picked.mul(m.create(w.mask(), new Shape(batch.size(), width))).sum().getFloat();
                        tokens += w.counted();
                        state = keep(out.subNDList(1), batchManager);
                    }
                }
            }
        }
        // no held-out tokens: every epoch counts as the best, the last one is kept
        return tokens == 0 ? Double.NEGATIVE_INFINITY : nats / tokens;
    }

    private static NDList zeroState(NDManager manager, ModelSpec spec, int rows) {
        Shape stateShape = new Shape(spec.layers(), rows, spec.hiddenSize()); // (layers, batch, hidden)
        NDList state = new NDList(manager.zeros(stateShape));
        if (spec.cell() == ModelSpec.Cell.LSTM) {
            state.add(manager.zeros(stateShape));
        }
        return state;
    }

    private static NDList keep(NDList state, NDManager manager) {
        NDList next = new NDList();
        for (NDArray s : state) {
            NDArray detached = s.stopGradient();
            detached.attach(manager);
            next.add(detached);
        }
        return next;
    }

    /** The learning rate Adam reads at every update; lowered between epochs on a plateau. */
    private static final class LearningRate implements Tracker {
        private float value;

        LearningRate(float initial) {
            this.value = initial;
        }

        @Override
        public float getNewValue(int numUpdate) {
            return value;
        }
    }

    /** What a run leaves behind: the best epoch's weights and the counts for the manifest. */
    private static final class Run {
        private StepClock clock = new StepClock(0, null);
        private byte[] bestWeights;
        private int epochs;
        private int bestEpoch;
    }

    /** Trains one batch window by window; returns the sum of the windows' losses. */
    private double trainBatch(Trainer trainer, ModelSpec spec, List<int[]> batch, int epoch, StepClock clock) {
        int length = batch.stream().mapToInt(s -> s.length).max().orElseThrow() - 1;
        double losses = 0;
        try (NDManager batchManager = trainer.getManager().newSubManager()) {
            NDList state = zeroState(batchManager, spec, batch.size());
            for (int from = 0; from < length; from += options.bptt()) {
                int width = Math.min(options.bptt(), length - from);
                state = trainWindow(trainer, batchManager, batch, from, width, state, epoch, clock);
                losses += clock.lastLoss;
            }
        }
        return losses;
    }

    /** One optimiser step on columns [from, from + width) of the batch; returns the detached state. */
    private NDList trainWindow(Trainer trainer, NDManager batchManager, List<int[]> batch, int from, int width,
                               NDList state, int epoch, StepClock clock) {
        int rows = batch.size();
        TrainingSequences.Window w = TrainingSequences.Window.of(batch, from, width);
        try (NDManager m = batchManager.newSubManager()) {
            NDList in = new NDList(m.create(w.inputs(), new Shape(rows, width))); // (batch, time)
            in.addAll(state);
            NDArray y = m.create(w.labels(), new Shape(rows, width, 1));          // (batch, time, 1)
            NDArray weights = m.create(w.mask(), new Shape(rows, width));         // (batch, time)
            NDList out;
            double loss;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                out = trainer.forward(in);
                NDArray logProbs = out.head().logSoftmax(2);                     // (batch, time, vocab)
                NDArray picked = logProbs.gather(y, 2).squeeze(2);               // (batch, time)
                NDArray mean = picked.mul(weights).sum().neg().div(Math.max(1, w.counted()));
                gc.backward(mean);
                loss = mean.getFloat();
            }
            trainer.step();
            clock.step(w.counted(), loss);
            listener.onProgress(new TrainingProgress(epoch, options.maxEpochs(), clock.steps, clock.totalSteps, loss,
                    clock.tokensPerSecond(), clock.eta()));
            return keep(out.subNDList(1), batchManager);
        }
    }

    /** Counts an epoch's steps for progress and ETA, and all epochs' tokens for throughput. */
    private static final class StepClock {
        private final long totalSteps;
        private final long startNanos = System.nanoTime();
        private final long runStartNanos;
        private long steps;
        private long tokens;
        private double lastLoss = Double.NaN;

        StepClock(long totalSteps, StepClock previous) {
            this.totalSteps = totalSteps;
            this.runStartNanos = previous == null ? startNanos : previous.runStartNanos;
            this.tokens = previous == null ? 0 : previous.tokens;
            this.lastLoss = previous == null ? Double.NaN : previous.lastLoss;
        }

        void step(int stepTokens, double loss) {
            steps++;
            tokens += stepTokens;
            lastLoss = loss;
        }

        double tokensPerSecond() {
            double seconds = (System.nanoTime() - runStartNanos) / 1e9;
            return seconds <= 0 ? 0 : tokens / seconds;
        }

        Duration eta() {
            long elapsed = System.nanoTime() - startNanos;
            return steps == 0 ? Duration.ZERO : Duration.ofNanos(elapsed / steps * Math.max(0, totalSteps - steps));
        }
    }
}
