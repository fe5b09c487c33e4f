package dev.surprisal.session;

import dev.surprisal.tokenize.TemplateMiner;
import dev.surprisal.tokenize.TemplateSettings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Templates learned while scoring, as Drain3 learns them: a line that fits none of the model's
 * templates is mined here, so that only the first line of a new template is alerted and its later
 * lines are recognised (they stay the model's unknown token until a fine-tune learns them).
 *
 * <p>A template's id is a hash of its first text under the model's template settings, so scorers
 * that meet the same new line make the same id; the stream processor publishes what it learns to a
 * compacted topic and every scorer loads it ({@link #known}), so they agree and remember across
 * restarts. One instance serves every task of a scorer: its methods are synchronised.
 */
public final class LearnedTemplates {

    /**
     * What one line did: the learned template it is (by id and text, under the model's template
     * settings), whether it was new, and whether its text changed.
     */
    public record Seen(TemplateSettings settings, String id, String text, boolean first, boolean changed) {
    }

    private final Map<TemplateSettings, TemplateMiner> miners = new HashMap<>();
    private final Map<TemplateSettings, Map<String, TemplateMiner.Template>> byId = new HashMap<>();
    private final Map<TemplateMiner.Template, String> ids = new IdentityHashMap<>();

    /** Mines a line that no model template fits: which learned template it is, learnt now if it is new. */
    public synchronized Seen see(TemplateSettings settings, String line) {
        TemplateMiner miner = miner(settings);
        int before = miner.templates().size();
        TemplateMiner.Template match = miner.match(line);
        String textBefore = match == null ? null : match.text();
        TemplateMiner.Template t = miner.mine(line);
        boolean first = miner.templates().size() > before;
        if (first) {
            String id = id(settings, t.text());
            ids.put(t, id);
            byId.get(settings).put(id, t);
        }
        return new Seen(settings, ids.get(t), t.text(), first, !first && !t.text().equals(textBefore));
    }

    /** A template learned before or by another scorer (read from the learned-templates topic). */
    public synchronized void known(TemplateSettings settings, String id, String text) {
        TemplateMiner.Template t = byId.computeIfAbsent(settings, s -> new HashMap<>()).get(id);
        if (t == null) {
            t = miner(settings).add(text);
            ids.put(t, id);
            byId.get(settings).put(id, t);
        } else {
            TemplateMiner.widen(t, text);
        }
    }

    public synchronized int size() {
        return ids.size();
    }

    private TemplateMiner miner(TemplateSettings settings) {
        byId.computeIfAbsent(settings, s -> new HashMap<>());
        return miners.computeIfAbsent(settings, TemplateMiner::of);
    }

    /** {@code t} and 12 hex digits of the SHA-256 of the settings and the template's first text. */
    static String id(TemplateSettings settings, String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((settings + "\n" + text).getBytes(StandardCharsets.UTF_8));
            return "t" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
