package dev.surprisal.session;

import dev.surprisal.tokenize.TemplateMiner;
import dev.surprisal.tokenize.TemplateSettings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
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
     * settings), whether it was new, whether its text changed, and its lines and first line's time
     * so far (as this scorer knows them).
     */
    public record Seen(TemplateSettings settings, String id, String text, boolean first, boolean changed, long lines,
                       long firstSeenMs) {

        /** Worth telling the other scorers: new, widened, or a count that reached a power of two. */
        public boolean shared() {
            return first || changed || Long.bitCount(lines) == 1;
        }
    }

    /** A learned template as an operator sees it: a deployment's burst reads as one row per template, with counts. */
    public record Summary(String id, String text, long lines, Instant firstSeen) {
    }

    private static final class Info {
        final String id;
        long lines;
        long firstSeenMs;

        Info(String id, long lines, long firstSeenMs) {
            this.id = id;
            this.lines = lines;
            this.firstSeenMs = firstSeenMs;
        }
    }

    private final Map<TemplateSettings, TemplateMiner> miners = new HashMap<>();
    private final Map<TemplateSettings, Map<String, TemplateMiner.Template>> byId = new HashMap<>();
    private final Map<TemplateMiner.Template, Info> info = new IdentityHashMap<>();

    /**
     * Mines a line that no model template fits: which learned template it is, learnt now if it is new.
     * {@code timeMs} is the line's time (its record's), for when a template was first seen.
     */
    public synchronized Seen see(TemplateSettings settings, String line, long timeMs) {
        TemplateMiner miner = miner(settings);
        int before = miner.templates().size();
        TemplateMiner.Template match = miner.match(line);
        String textBefore = match == null ? null : match.text();
        TemplateMiner.Template t = miner.mine(line);
        boolean first = miner.templates().size() > before;
        if (first) {
            String id = id(settings, t.text());
            info.put(t, new Info(id, 0, timeMs));
            byId.get(settings).put(id, t);
        }
        Info i = info.get(t);
        i.lines++;
        return new Seen(settings, i.id, t.text(), first, !first && !t.text().equals(textBefore), i.lines,
                i.firstSeenMs);
    }

    /** A template learned before or by another scorer (read from the learned-templates topic). */
    public synchronized void known(TemplateSettings settings, String id, String text, long lines, long firstSeenMs) {
        TemplateMiner.Template t = byId.computeIfAbsent(settings, s -> new HashMap<>()).get(id);
        if (t == null) {
            t = miner(settings).add(text);
            info.put(t, new Info(id, lines, firstSeenMs));
            byId.get(settings).put(id, t);
        } else {
            TemplateMiner.widen(t, text);
            Info i = info.get(t);
            i.lines = Math.max(i.lines, lines);
            i.firstSeenMs = Math.min(i.firstSeenMs, firstSeenMs);
        }
    }

    public synchronized int size() {
        return info.size();
    }

    /** The templates learned so far, the newest first. */
    public synchronized List<Summary> summaries() {
        List<Summary> out = new ArrayList<>();
        info.forEach((t, i) -> out.add(new Summary(i.id, t.text(), i.lines, Instant.ofEpochMilli(i.firstSeenMs))));
        out.sort(Comparator.comparing(Summary::firstSeen).reversed());
        return out;
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
