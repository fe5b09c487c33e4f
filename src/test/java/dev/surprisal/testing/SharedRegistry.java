package dev.surprisal.testing;

import dev.surprisal.registry.InMemorySchemaRegistry;

/**
 * One registry for the tests that share topics with fixed names on the shared broker
 * (trainer-status, model-releases): schema ids written by one test must mean the same to the next.
 */
public final class SharedRegistry {

    public static final InMemorySchemaRegistry INSTANCE = new InMemorySchemaRegistry();

    private SharedRegistry() {
    }
}
