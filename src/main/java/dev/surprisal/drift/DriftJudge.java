package dev.surprisal.drift;


import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a model's live figures have left what it was trained for, and since when: a bound passed
 * in one window is a reading; the same bound passed for {@code hold} is drift.
 */
final class DriftJudge {

    /** Counts in a window for one model version. */
    record Window(long events, long tokens, double bits, long flagged, long unknown) {
        double bitsPerToken() {
            return tokens == 0 ? Double.NaN : bits / tokens;
        }

        double flagRate() {
            return events == 0 ? 0 : (double) flagged / events;
        }

        double unknownRate() {
            return tokens == 0 ? 0 : (double) unknown / tokens;
        }
    }

    /** What training recorded: held-out bits per token, and the share of normal events calibration flags. */
    record Baseline(double bitsPerToken, double flagRate) {
    }

    /** The bounds passed now (empty: none, or too few events to tell) and since when they hold. */
    record Reading(List<String> reasons, Instant since, boolean drifting) {
    }

    private final DriftSettings settings;
    private Instant passingSince;

    DriftJudge(DriftSettings settings) {
        this.settings = settings;
    }

    Reading judge(Window w, Baseline trained, Instant now) {
        List<String> reasons = reasons(w, trained);
        if (reasons.isEmpty()) {
            passingSince = null;
            return new Reading(reasons, null, false);
        }
        if (passingSince == null) {
            passingSince = now;
        }
        boolean held = !now.isBefore(passingSince.plus(settings.hold()));
        return new Reading(reasons, passingSince, held);
    }

    List<String> reasons(Window w, Baseline trained) {
        List<String> reasons = new ArrayList<>();
        if (w.events() < settings.minEvents()) {
            return reasons;
        }
        if (Double.isFinite(trained.bitsPerToken()) && w.bitsPerToken() > settings.bitsRatio() * trained.bitsPerToken()) {
            reasons.add(String.format(Locale.ROOT, "%.3f bits/token, %.1f× the %.3f at training", w.bitsPerToken(),
                    w.bitsPerToken() / trained.bitsPerToken(), trained.bitsPerToken()));
        }
        if (w.flagRate() > settings.flagRate()) {
            reasons.add(String.format(Locale.ROOT, "%.1f%% of events flagged (bound %.1f%%, %.1f%% expected)",
                    100 * w.flagRate(), 100 * settings.flagRate(), 100 * trained.flagRate()));
        }
        if (w.unknownRate() > settings.unknownRate()) {
            reasons.add(String.format(Locale.ROOT, "%.1f%% of tokens unknown to the model (bound %.1f%%)",
                    100 * w.unknownRate(), 100 * settings.unknownRate()));
        }
        return reasons;
    }
}
