package dev.surprisal.demo;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.serde.AvroJson;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** What the demo shows: each scored event (rendered, or as a JSON line), and the closing summary. */
final class DemoConsole {

    private final ConsoleRenderer renderer;
    private final boolean jsonl;
    private final PrintStream out;
    private final PrintStream info;

    DemoConsole(ConsoleRenderer renderer, boolean jsonl, PrintStream out, PrintStream info) {
        this.renderer = renderer;
        this.jsonl = jsonl;
        this.out = out;
        this.info = info;
    }

    void show(ScoredEvent event, String injected) {
        if (jsonl) {
            out.println(AvroJson.toJson(event));
        } else {
            out.print(renderer.render(event));
            if (injected != null) {
                out.println("    (the demo injected this line as an anomaly: " + injected + ")");
            }
        }
        out.flush();
    }

    void summarise(DemoRunner.Result r, boolean shifting) {
        info.printf(Locale.ROOT, "%nscored %d events (%d distinct, %d tokens); first score %.1f s after start; "
                        + "%.0f tokens/s, %.0f events/s from first to last score%n",
                r.events(), r.distinctEvents(), r.tokens(), r.secondsToFirstScore(),
                r.scoringSeconds() > 0 ? r.tokens() / r.scoringSeconds() : 0,
                r.scoringSeconds() > 0 ? r.events() / r.scoringSeconds() : 0);
        info.printf(Locale.ROOT, "flagged %d events; of the %d injected anomalies %d were flagged, "
                + "and %d other events were flagged%n", r.anomalies(), r.injected(), r.injectedFlagged(),
                r.anomalies() - r.injectedFlagged());
        if (shifting) {
            r.byVersion().forEach((version, v) -> {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "model %s scored %d events",
                        version, v.events()));
                if (v.plainEvents() > 0) {
                    line.append(String.format(Locale.ROOT, "; the old format: %.1f%% flagged (%d events)",
                            100 * v.plainFlagRate(), v.plainEvents()));
                }
                if (v.shiftedEvents() > 0) {
                    line.append(String.format(Locale.ROOT, "; the new format: %.1f%% flagged, mean perplexity %.2f "
                            + "(%d events)", 100 * v.shiftedFlagRate(), v.meanShiftedPerplexity(), v.shiftedEvents()));
                }
                info.println(line);
            });
        }
    }

    /** Running counts for the closing summary. */
    static final class Tally {
        private final java.util.Set<String> ids = new java.util.HashSet<>();
        private final Map<String, DemoRunner.VersionTally> byVersion = new java.util.LinkedHashMap<>();
        private long events;
        private long tokens;
        private long anomalies;
        private long injected;
        private long injectedFlagged;
        private long firstNanos;
        private long lastNanos;
        private double secondsToFirst;

        long events() {
            return events;
        }

        /** @return whether this is the first event scored by its model version after another one */
        boolean add(ScoredEvent e, String injectedKind, boolean shifted, long start) {
            long now = System.nanoTime();
            if (events == 0) {
                firstNanos = now;
                secondsToFirst = (now - start) / 1e9;
            }
            lastNanos = now;
            events++;
            ids.add(e.getEventId());
            tokens += e.getTokens().size();
            anomalies += e.getAnomalous() ? 1 : 0;
            if (injectedKind != null) {
                injected++;
                injectedFlagged += e.getAnomalous() ? 1 : 0;
            }
            boolean newVersion = !byVersion.isEmpty() && !byVersion.containsKey(e.getModelVersion());
            byVersion.put(e.getModelVersion(), byVersion.getOrDefault(e.getModelVersion(), DemoRunner.VersionTally.NONE)
                    .add(shifted, injectedKind != null, e));
            return newVersion;
        }

        DemoRunner.Result result() {
            return new DemoRunner.Result(events, ids.size(), tokens, anomalies, injected, injectedFlagged, secondsToFirst,
                    (lastNanos - firstNanos) / 1e9, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byVersion)));
        }
    }
}
