package dev.surprisal.testing;

import dev.surprisal.model.LanguageModel;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Injects one shared untrained byte LSTM ({@link TestModels#tinyByteModel()}), closed after the last test. */
public final class TinyModelExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TinyModelExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LanguageModel.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("model", k -> new Shared(TestModels.tinyByteModel()), Shared.class).model;
    }

    private record Shared(LanguageModel model) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }
}
