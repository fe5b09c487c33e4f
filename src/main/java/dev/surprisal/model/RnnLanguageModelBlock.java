package dev.surprisal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Embedding → LSTM/GRU → Linear, with the recurrent state passed in and returned so that a
 * session can be continued across calls.
 *
 * <p>Inputs: tokens (batch, time) int32, h (layers, batch, hidden) and, for an LSTM, c of the same
 * shape. Outputs: logits (batch, time, vocab), then the new h (and c).
 *
 * <p>Dropout acts in training only, so scoring is deterministic. With tied weights the output layer
 * is the embedding matrix transposed plus its own bias.
 */
public final class RnnLanguageModelBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ModelSpec spec;
    private final IdEmbedding embedding;
    private final Block rnn;
    private final Linear output;
    private final Parameter tiedBias;

    public RnnLanguageModelBlock(ModelSpec spec) {
        super(VERSION);
        this.spec = spec;
        this.embedding = addChildBlock("embedding", new IdEmbedding.Builder()
                .setDictionarySize(spec.vocabularySize())
                .setEmbeddingSize(spec.embeddingSize())
                .build());
        this.rnn = addChildBlock("rnn", spec.cell() == ModelSpec.Cell.LSTM
                ? LSTM.builder().setStateSize(spec.hiddenSize()).setNumLayers(spec.layers())
                        .optDropRate(spec.dropout()).optBatchFirst(true).optReturnState(true).build()
                : GRU.builder().setStateSize(spec.hiddenSize()).setNumLayers(spec.layers())
                        .optDropRate(spec.dropout()).optBatchFirst(true).optReturnState(true).build());
        if (spec.tiedWeights()) {
            this.output = null;
            this.tiedBias = addParameter(Parameter.builder().setName("outputBias").setType(Parameter.Type.BIAS)
                    .optShape(new Shape(spec.vocabularySize())).build());
        } else {
            this.output = addChildBlock("output", Linear.builder().setUnits(spec.vocabularySize()).build());
            this.tiedBias = null;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList recurrent = recurrent(ps, inputs, training);
        NDArray logits = project(ps, recurrent.head(), training); // (batch, time, vocab)
        NDList out = new NDList(logits);
        out.addAll(recurrent.subNDList(1));
        return out;
    }

    /** Returns the top layer's outputs (batch, time, hidden), then the new state arrays. */
    NDList recurrent(ParameterStore ps, NDList inputs, boolean training) {
        NDArray embedded = embedding.forward(ps, new NDList(inputs.head()), training).head(); // (batch, time, emb)
        NDList rnnInputs = new NDList(dropout(embedded, training));
        rnnInputs.addAll(inputs.subNDList(1));
        return rnn.forward(ps, rnnInputs, training);
    }

    /** hidden (..., hidden) → logits (..., vocab). */
    NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray in = dropout(hidden, training);
        if (output != null) {
            return output.forward(ps, new NDList(in), training).head();
        }
        NDArray table = embedding.getValue(ps, in.getDevice(), training);         // (vocab, emb = hidden)
        NDArray bias = ps.getValue(tiedBias, in.getDevice(), training);          // (vocab)
        return in.matMul(table.transpose()).add(bias);                            // (..., vocab)
    }

    private NDArray dropout(NDArray x, boolean training) {
        return training && spec.dropout() > 0 ? Dropout.dropout(x, spec.dropout(), true).head() : x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        Shape[] out = new Shape[inputShapes.length];
        out[0] = new Shape(tokens.get(0), tokens.get(1), spec.vocabularySize());
        for (int i = 1; i < inputShapes.length; i++) {
            out[i] = inputShapes[i];
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0]; // (batch, time)
        embedding.initialize(manager, dataType, tokens);
        Shape embedded = new Shape(tokens.get(0), tokens.get(1), spec.embeddingSize());
        Shape[] rnnShapes = new Shape[inputShapes.length];
        rnnShapes[0] = embedded;
        System.arraycopy(inputShapes, 1, rnnShapes, 1, inputShapes.length - 1);
        rnn.initialize(manager, dataType, rnnShapes);
        if (output != null) {
            output.initialize(manager, dataType, new Shape(tokens.get(0), tokens.get(1), spec.hiddenSize()));
        }
    }

    /** Input shapes for a batch of {@code batch} sequences of {@code time} tokens. */
    public Shape[] inputShapes(long batch, long time) {
        Shape state = new Shape(spec.layers(), batch, spec.hiddenSize());
        return spec.cell() == ModelSpec.Cell.LSTM
                ? new Shape[] {new Shape(batch, time), state, state}
                : new Shape[] {new Shape(batch, time), state};
    }
}
