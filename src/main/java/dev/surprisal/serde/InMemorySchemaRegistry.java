package dev.surprisal.serde;

import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A registry that lives in this process: for the demo, topology tests and single-process use. */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private final Map<String, Integer> idsByCanonicalForm = new HashMap<>();
    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, List<Integer>> subjects = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        String canonical = schema.toString();
        Integer id = idsByCanonicalForm.get(canonical);
        if (id == null) {
            schemas.add(schema);
            id = schemas.size();
            idsByCanonicalForm.put(canonical, id);
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public synchronized Schema byId(int id) {
        if (id < 1 || id > schemas.size()) {
            throw new UnknownSchemaException(id);
        }
        return schemas.get(id - 1);
    }

    public synchronized List<String> subjects() {
        return subjects.keySet().stream().sorted().toList();
    }
}
