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

    /**
     * Checks that the registry answers at its URL and takes this client's credentials, through an
     * endpoint every registry has; throws {@link RegistryUnavailableException} saying what is wrong.
     */
    default void check() {
        subjects();
    }

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

    /**
     * Why a registry could not serve a request. None of them says anything about a record, so none is
     * a reason to dead-letter one; each names what an operator should look at.
     */
    enum Fault {
        /** 401 or 403: the credentials ({@code basic.auth.user.info}) are wrong, expired or lack a role. */
        CREDENTIALS_REFUSED("credentials-refused"),
        /** 404 for the API itself rather than for a schema: {@code schema.registry.url} misses its base path. */
        NOT_FOUND("not-found"),
        /** No answer: connection refused, timed out, DNS or TLS failure. */
        UNREACHABLE("unreachable"),
        /** 5xx, or an answer that is not the registry's JSON. */
        SERVER_ERROR("server-error"),
        /** 429. */
        RATE_LIMITED("rate-limited");

        private final String label;

        Fault(String label) {
            this.label = label;
        }

        /** The fault as a metric label and readiness reason. */
        public String label() {
            return label;
        }
    }

    /**
     * The registry could not serve the request: worth retrying, never a reason to drop data. The
     * message names the setting to check.
     */
    final class RegistryUnavailableException extends RegistryException {
        private static final long serialVersionUID = 1L;
        private final Fault fault;

        public RegistryUnavailableException(Fault fault, String message, Throwable cause) {
            super(message, cause);
            this.fault = fault;
        }

        public Fault fault() {
            return fault;
        }
    }
}
