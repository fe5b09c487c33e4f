package dev.surprisal.cli;

import dev.surprisal.kafka.ClusterException;
import dev.surprisal.registry.SchemaRegistry;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import java.nio.file.NoSuchFileException;

/** Which failures are the user's to fix, and the line that says how. */
final class UserErrors {

    private UserErrors() {
    }

    /** One line for a failure the user can fix, found anywhere in the cause chain; null for anything else. */
    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistry.RegistryException || t instanceof ClusterException) {
                return t.getMessage();
            }
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return "Kafka refused this client: " + t.getMessage()
                        + " (check security.protocol, sasl.* and ssl.* in --config)";
            }
            if (t instanceof NoSuchFileException) {
                return "no such file: " + t.getMessage();
            }
        }
        return failure instanceof IllegalArgumentException ? failure.getMessage() : null;
    }
}
