package dev.surprisal.model;

/** Reaches into a model's weights, which only the model package may: for tests of what bad weights do. */
public final class TestWeights {

    private TestWeights() {
    }

    /** Makes the first weight tensor NaN, as a diverged training run would leave it. */
    public static void poison(LanguageModel model) {
        model.block().getParameters().valueAt(0).getArray().muli(Float.NaN);
    }
}
