package dev.surprisal.stream;

import dev.surprisal.model.LanguageModel;

/** The model the scorer uses for the next event. */
@FunctionalInterface
public interface ModelProvider {

    LanguageModel current();

    static ModelProvider fixed(LanguageModel model) {
        return () -> model;
    }
}
