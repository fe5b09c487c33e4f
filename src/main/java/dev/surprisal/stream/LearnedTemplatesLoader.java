package dev.surprisal.stream;

import dev.surprisal.session.LearnedTemplates;
import dev.surprisal.tokenize.TemplateSettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Keeps every scorer's {@link LearnedTemplates} in step with the compacted learned-templates topic:
 * a global store of it (restored in full on start) is loaded once, then each record as it arrives,
 * whichever instance learned it. Records are JSON: the template's id, text, lines so far (sent again at
 * 2, 4, 8 ... lines), the time of its first line and its template settings.
 */
final class LearnedTemplatesLoader implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(LearnedTemplatesLoader.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LearnedTemplates learned;
    private KeyValueStore<String, byte[]> store;

    LearnedTemplatesLoader(LearnedTemplates learned) {
        this.learned = learned;
    }

    /** The record that shares {@code seen}: keyed by its id. */
    static KeyValue<byte[], byte[]> record(LearnedTemplates.Seen seen) {
        try {
            byte[] value = JSON.writeValueAsBytes(JSON.createObjectNode().put("id", seen.id()).put("text", seen.text())
                    .put("lines", seen.lines()).put("firstSeen", seen.firstSeenMs())
                    .set("settings", JSON.valueToTree(seen.settings())));
            return KeyValue.pair(seen.id().getBytes(StandardCharsets.UTF_8), value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a learned template as JSON", e);
        }
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(ScoringTopology.LEARNED_STORE);
        int loaded = 0;
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                loaded += load(kv.key, kv.value) ? 1 : 0;
            }
        }
        if (loaded > 0) {
            LOG.info("{} templates learned while scoring are known", loaded);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else if (load(record.key(), record.value())) {
            store.put(record.key(), record.value());
        }
    }

    /** Adds one record's template; a record this version cannot read is skipped, not fatal. */
    private boolean load(String id, byte[] value) {
        try {
            JsonNode json = JSON.readTree(value);
            learned.known(JSON.treeToValue(json.get("settings"), TemplateSettings.class), id, json.get("text").asText(),
                    json.path("lines").asLong(1), json.path("firstSeen").asLong(System.currentTimeMillis()));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping learned template {}: {}", id, e.toString());
            return false;
        }
    }
}
