package dev.surprisal.model;

import dev.surprisal.tokenize.Tokenizer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A trained model ready to score: one native call per event ({@link #forward}) or per batch of
 * events of different sessions ({@link #forwardBatch}), starting from and returning each session's
 * recurrent state as a flat float array. Only what scoring keeps per position (the actual token's
 * log-probability and rank, the entropy and the top k) leaves the native engine.
 *
 * <p>The state kept for a session is the one after its last token. The prediction for the next
 * token is the output layer applied to that state's top-layer h, so an event of T tokens needs one
 * recurrent pass over its T tokens and T + 1 projections: the first scores the event's first token,
 * the last predicts what comes after the event. Two events therefore score exactly like their
 * concatenation.
 */
public final class LanguageModel implements AutoCloseable {

    private static final int BATCH_THREADS_FROM = DjlRuntime.batchThreadsFromSessions();
    private static final int BATCH_THREADS = DjlRuntime.batchThreads();

    private final Model model;
    private final RnnLanguageModelBlock block;
    private final ModelManifest manifest;
    private final Tokenizer tokenizer;
    /*
     * Stream threads (and HTTP threads answering queries) share a model. Concurrent DJL calls on one
     * model intermittently failed with "Native resource has been released already", so native calls
     * on a model are serialised by `lock`; each call is a whole event or batch, so the lock is taken once per call.
     */
    private final Object lock = new Object();
    private final ParameterStore parameters;
    private final BatchForward batches;
    private final float[] initialState;
    private final KneserNey baseline;
    private final ReplaySample replay;
    /** Null when the manifest mixes in no baseline: then a state is the network's alone. */
    private final Interpolation mix;

    LanguageModel(Model model, RnnLanguageModelBlock block, ModelManifest manifest, Tokenizer tokenizer,
                  KneserNey baseline, ReplaySample replay) {
        this.baseline = baseline;
        this.replay = replay;
        this.model = model;
        this.block = block;
        this.manifest = manifest;
        this.tokenizer = tokenizer;
        this.parameters = new ParameterStore(model.getNDManager(), false);
        this.batches = new BatchForward(model, block, parameters);
        this.mix = manifest.baselineWeight() > 0 && baseline != null
                ? new Interpolation(baseline, manifest.baselineWeight(), spec().stateSize()) : null;
        float[] zero = new float[spec().stateSize()];
        this.initialState = advance(mix == null ? zero : mix.start(zero), new int[] {tokenizer.bosId()});
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public String version() {
        return manifest.version();
    }

    public ModelSpec spec() {
        return block.spec();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Floats in a session's state: the network's, and the baseline's history when it is mixed in. */
    public int stateSize() {
        return mix == null ? spec().stateSize() : mix.stateSize();
    }

    /** The n-gram baseline trained on the same text, when the model was saved with one. */
    public Optional<KneserNey> baseline() {
        return Optional.ofNullable(baseline);
    }

    /** A sample of the text the model was trained on, when it was saved with one (fine-tunes replay it). */
    public Optional<ReplaySample> replay() {
        return Optional.ofNullable(replay);
    }

    /** The DJL block: for saving weights; scoring goes through {@link #forward}, under the lock. */
    RnnLanguageModelBlock block() {
        return block;
    }

    Model djlModel() {
        return model;
    }

    /**
     * A DJL trainer over this model's weights, initialised for batches of {@code batchSize}
     * sequences of {@code steps} tokens. It writes the weights without the scoring lock: train a
     * model that no scorer is using (the trainer trains its own copy, and publishes a release).
     */
    public Trainer newTrainer(TrainingConfig config, int batchSize, int steps) {
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(block.inputShapes(batchSize, steps));
        return trainer;
    }

    /** State of a new session: the session-start token fed to a zero state. */
    public float[] initialState() {
        return initialState.clone();
    }

    /**
     * The state a fresh session would have after {@code text}: how a session met by this model after
     * another model's events is primed with its recent text.
     */
    public float[] stateAfter(String text) {
        int[] tokens = text.isEmpty() ? new int[0] : tokenizer.encode(text);
        return tokens.length == 0 ? initialState() : advance(initialState(), tokens);
    }

    /**
     * What scoring keeps of a forward pass over one event, reduced inside the native graph so that
     * no (positions × vocabulary) matrix is ever copied to the heap. Position t &lt; T scores the
     * event's t-th token; position T is the prediction after the event (its actual-token figures
     * are meaningless there). Entropy is in nats, log-probabilities natural.
     */
    public record Forward(int positions, int k, float[] logProb, int[] rank, float[] entropy, int[] topIds,
                          float[] topLogProbs, float[] state) {

        /** Log-probability of the actual token at {@code position} (t &lt; T). */
        public float logProb(int position) {
            return logProb[position];
        }

        /** 1 + the tokens the model found strictly more likely than the actual one. */
        public int rank(int position) {
            return rank[position];
        }

        public float entropy(int position) {
            return entropy[position];
        }

        /** Token id of the {@code i}-th most likely token at {@code position}. */
        public int topId(int position, int i) {
            return topIds[position * k + i];
        }

        public float topLogProb(int position, int i) {
            return topLogProbs[position * k + i];
        }

        /** Whether every figure is finite: a model with NaN weights fails this. */
        public boolean finite() {
            for (int p = 0; p < positions; p++) {
                if (!Float.isFinite(entropy[p]) || (p < positions - 1 && !Float.isFinite(logProb[p]))) {
                    return false;
                }
            }
            for (float x : topLogProbs) {
                if (!Float.isFinite(x)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Runs the model over {@code tokens} from {@code state}, keeping the {@code k} most likely tokens
     * at every position (at least 1).
     */
    public Forward forward(float[] state, int[] tokens, int k) {
        return forwardBatch(List.of(state), List.of(tokens), k).get(0);
    }

    /**
     * One event from each of several sessions in one batch: the same results as one event alone, with
     * the per-call native overhead paid once per segment instead of once per event.
     *
     * <p>Sessions are ordered longest event first and run together through time segments that end
     * where some event ends: a segment is one recurrent call over the sessions still running (a
     * prefix of that order), and one projection call over its outputs. Events of equal length thus
     * share a single call, and no session ever steps over padding, so every state is exact. A
     * segment whose logits would exceed {@link DjlRuntime#maxLogitsPerCall()} is cut in time, which
     * bounds native memory whatever the events' length and the vocabulary.
     */
    public List<Forward> forwardBatch(List<float[]> states, List<int[]> tokens, int k) {
        return forwardBatch(states, tokens, k, true);
    }

    /**
     * {@link #forwardBatch(List, List, int)}, with the top {@code k} at every position only when
     * {@code topEverywhere}; otherwise only at each event's last position (the prediction after it),
     * the others left empty. Ranking the whole vocabulary at every position is, with a small
     * vocabulary, most of the time spent outside the recurrent layers.
     */
    public List<Forward> forwardBatch(List<float[]> states, List<int[]> tokens, int k, boolean topEverywhere) {
        int batch = states.size();
        if (batch != tokens.size() || batch == 0) {
            throw new IllegalArgumentException("one token list per state, and at least one");
        }
        for (int b = 0; b < batch; b++) {
            if (tokens.get(b).length == 0) {
                throw new IllegalArgumentException("an event needs at least one token");
            }
            if (states.get(b).length != stateSize()) {
                throw new IllegalArgumentException("state has " + states.get(b).length + " floats, model needs "
                        + stateSize());
            }
        }
        int keep = Math.max(1, Math.min(k, spec().vocabularySize()));
        List<Forward> network;
        synchronized (lock) {
            // the engine's thread count is process-wide: raised for this call only, under the lock
            int single = JniUtils.getNumThreads();
            boolean widen = states.size() >= BATCH_THREADS_FROM && BATCH_THREADS > single;
            if (widen) {
                JniUtils.setNumThreads(BATCH_THREADS);
            }
            try {
                network = batches.run(mix == null ? states : states.stream().map(mix::network).toList(), tokens, keep,
                        topEverywhere);
            } finally {
                if (widen) {
                    JniUtils.setNumThreads(single);
                }
            }
        }
        if (mix == null) {
            return network;
        }
        // the counts are plain Java: mixed outside the lock, so other threads' native calls need not wait
        List<Forward> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            out.add(mix.mix(network.get(b), mix.history(states.get(b)), tokens.get(b), topEverywhere));
        }
        return out;
    }

    /** The {@code k} most likely tokens after {@code state}: a forward of one position. */
    public Forward predict(float[] state, int k) {
        ModelSpec spec = spec();
        int slice = spec.layers() * spec.hiddenSize();
        int keep = Math.max(1, Math.min(k, spec.vocabularySize()));
        synchronized (lock) {
            try (NDManager m = model.getNDManager().newSubManager()) {
                float[] top = Arrays.copyOfRange(state, slice - spec.hiddenSize(), slice);
                NDArray hidden = m.create(top, new Shape(1, 1, spec.hiddenSize())); // (1, 1, hidden)
                NDArray logProbs = block.project(parameters, hidden, false).logSoftmax(2); // (1, 1, vocab)
                BatchForward.Reduced r = BatchForward.reduce(logProbs, m.create(new int[] {0}, new Shape(1, 1)), keep);
                Forward network = new Forward(1, keep, r.logProb(), r.rank(), r.entropy(), r.topIds(), r.topLogProbs(),
                        state);
                return mix == null ? network : mix.mixPrediction(network, state);
            }
        }
    }

    /** The state after {@code tokens}, without the projection (used to prime and to start sessions). */
    public float[] advance(float[] state, int[] tokens) {
        if (state.length != stateSize()) {
            throw new IllegalArgumentException("state has " + state.length + " floats, model needs " + stateSize());
        }
        float[] network = mix == null ? state : mix.network(state);
        float[] after;
        synchronized (lock) {
            try (NDManager m = model.getNDManager().newSubManager()) {
                after = flatten(block.recurrent(parameters, inputs(m, network, tokens), false).subNDList(1));
            }
        }
        return mix == null ? after : mix.join(after, mix.history(state), tokens);
    }

    private NDList inputs(NDManager m, float[] state, int[] tokens) {
        ModelSpec spec = spec();
        if (state.length != spec.stateSize()) {
            throw new IllegalArgumentException("state has " + state.length + " floats, model needs " + spec.stateSize());
        }
        int slice = spec.layers() * spec.hiddenSize();
        Shape stateShape = new Shape(spec.layers(), 1, spec.hiddenSize()); // (layers, batch, hidden)
        NDList in = new NDList(m.create(tokens, new Shape(1, tokens.length))); // (batch, time)
        in.add(m.create(Arrays.copyOfRange(state, 0, slice), stateShape));
        if (spec.cell() == ModelSpec.Cell.LSTM) {
            in.add(m.create(Arrays.copyOfRange(state, slice, 2 * slice), stateShape));
        }
        return in;
    }

    private static float[] flatten(NDList stateArrays) {
        float[][] parts = new float[stateArrays.size()][];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = stateArrays.get(i).toFloatArray();
            total += parts[i].length;
        }
        float[] out = new float[total];
        int offset = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
