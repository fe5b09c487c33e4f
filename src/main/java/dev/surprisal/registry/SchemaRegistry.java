package dev.surprisal.registry;

import org.apache.avro.Schema;

import java.util.List;

/**
 * The part of a Confluent-compatible schema registry this product uses. Ids are global: the same
 * schema gets the same id under every subject. Subjects are checked for BACKWARD compatibility:
 * a new version must be able to read what the latest version wrote.
 */
public interface SchemaRegistry {

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its id. */
    int register(String subject, Schema schema);

    /** The schema with this id. */
    Schema byId(int id);

    /** The newest version registered under {@code subject}. */
    RegisteredSchema latest(String subject);

    /** Whether {@code schema} could be registered under {@code subject} now. */
    boolean isCompatible(String subject, Schema schema);

    List<String> subjects();

    /** One version of a subject. */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }

    /** Base of the registry's own errors; the message says what to do. */
    class RegistryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An id, subject or version the registry does not have. */
    final class UnknownSchemaException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public UnknownSchemaException(String message) {
            super(message, null);
        }
    }

    /** The schema breaks compatibility with the subject's latest version. */
    final class IncompatibleSchemaException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public IncompatibleSchemaException(String message) {
            super(message, null);
        }
    }

    /** The registry could not be reached or failed; worth retrying, never a reason to drop data. */
    final class RegistryUnavailableException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public RegistryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
