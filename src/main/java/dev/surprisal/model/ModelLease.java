package dev.surprisal.model;

/**
 * A model held open for one use (a batch, a query): a model switch retires the old model, but it
 * is closed only when the last lease on it is closed.
 */
public final class ModelLease implements AutoCloseable {

    private final LanguageModel model;
    private final Runnable onClose;
    private boolean closed;

    public ModelLease(LanguageModel model, Runnable onClose) {
        this.model = model;
        this.onClose = onClose;
    }

    /** A lease on a model whose life is managed elsewhere (a fixed model, a test). */
    public static ModelLease unmanaged(LanguageModel model) {
        return new ModelLease(model, () -> { });
    }

    public LanguageModel model() {
        return model;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
