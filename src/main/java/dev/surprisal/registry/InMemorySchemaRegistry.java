package dev.surprisal.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A registry kept in this process. Alone it serves the demo's own clients and the tests; with a
 * journal ({@link KafkaSchemaJournal}) it is the state behind the embedded REST registry, and
 * every registration is written there before it is acknowledged.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<RegisteredSchema>> subjects = new TreeMap<>();
    private final Consumer<RegisteredSchema> journal;

    public InMemorySchemaRegistry() {
        this(r -> { });
    }

    /** @param journal called with every new registration before it becomes visible; may throw to refuse it */
    public InMemorySchemaRegistry(Consumer<RegisteredSchema> journal) {
        this.journal = journal;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        RegisteredSchema existing = find(subject, schema);
        if (existing != null) {
            return existing.id();
        }
        List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
        if (!versions.isEmpty()) {
            checkCompatible(subject, schema, versions.get(versions.size() - 1));
        }
        Integer id = idsBySchema.get(schema.toString());
        int assigned = id != null ? id : schemasById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        RegisteredSchema registered = new RegisteredSchema(subject, versions.size() + 1, assigned, schema);
        journal.accept(registered);
        apply(registered);
        return assigned;
    }

    /** Adds a registration read back from the journal (or just written to it). */
    public synchronized void apply(RegisteredSchema r) {
        idsBySchema.putIfAbsent(r.schema().toString(), r.id());
        schemasById.putIfAbsent(r.id(), r.schema());
        List<RegisteredSchema> versions = subjects.computeIfAbsent(r.subject(), s -> new ArrayList<>());
        if (versions.stream().noneMatch(v -> v.version() == r.version())) {
            versions.add(r);
            versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
        }
    }

    /** The version of {@code subject} holding exactly this schema, or null. */
    public synchronized RegisteredSchema find(String subject, Schema schema) {
        String text = schema.toString();
        return subjects.getOrDefault(subject, List.of()).stream()
                .filter(v -> v.schema().toString().equals(text)).findFirst().orElse(null);
    }

    @Override
    public synchronized Schema byId(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new UnknownSchemaException("schema id " + id + " is not registered");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<RegisteredSchema> versions = versions(subject);
        return versions.get(versions.size() - 1);
    }

    public synchronized List<RegisteredSchema> versions(String subject) {
        List<RegisteredSchema> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new UnknownSchemaException("subject '" + subject + "' not found");
        }
        return List.copyOf(versions);
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return true;
        }
        try {
            checkCompatible(subject, schema, versions.get(versions.size() - 1));
            return true;
        } catch (IncompatibleSchemaException e) {
            return false;
        }
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    private static void checkCompatible(String subject, Schema schema, RegisteredSchema latest) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(schema, latest.schema());
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IncompatibleSchemaException("schema is incompatible with version " + latest.version()
                    + " of subject '" + subject + "' (BACKWARD): " + result.getResult().getIncompatibilities()
                    .stream().map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage()).toList());
        }
    }
}
