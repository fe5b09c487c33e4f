package dev.surprisal.model;


/** The model the scorer uses for the next event or batch. */
@FunctionalInterface
public interface ModelProvider {

    /** The model serving now; one that may be switched must be used through {@link #lease()}. */
    LanguageModel current();

    /** The model serving now, kept open until the lease is closed even if a newer one takes over. */
    default ModelLease lease() {
        return ModelLease.unmanaged(current());
    }

    static ModelProvider fixed(LanguageModel model) {
        return () -> model;
    }
}
