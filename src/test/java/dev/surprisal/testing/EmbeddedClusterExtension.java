package dev.surprisal.testing;

import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.registry.InMemorySchemaRegistry;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The embedded cluster the integration tests of one JVM share: one broker, and one schema registry,
 * since schema ids written to shared topics (trainer-status, model-releases) by one test must mean
 * the same to the next. Injected into test constructors and methods by type.
 */
public final class EmbeddedClusterExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedClusterExtension.class);
    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedKafkaBroker.class || type == InMemorySchemaRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == InMemorySchemaRegistry.class) {
            return REGISTRY;
        }
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", k -> new ClosableBroker(start()), ClosableBroker.class).broker;
    }

    private static EmbeddedKafkaBroker start() {
        try {
            return EmbeddedKafkaBroker.start(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closed by JUnit when the root context ends, i.e. once all tests of the JVM have run. */
    private record ClosableBroker(EmbeddedKafkaBroker broker) implements AutoCloseable {
        @Override
        public void close() {
            broker.close();
        }
    }
}
