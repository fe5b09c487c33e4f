package dev.surprisal.serde;

import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible schema registry the serdes need. Ids are global: the same
 * schema gets the same id under every subject.
 */
public interface SchemaRegistry {

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its id. */
    int register(String subject, Schema schema);

    /** The schema with this id. */
    Schema byId(int id);

    /** Thrown for an id the registry does not know. */
    final class UnknownSchemaException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnknownSchemaException(int id) {
            super("schema id " + id + " is not registered");
        }
    }
}
