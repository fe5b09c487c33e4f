package dev.surprisal.demo;

import dev.surprisal.avro.Prediction;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TokenScore;
import dev.surprisal.session.LineParts;
import dev.surprisal.tokenize.VocabularyTokenizer;

import java.util.Locale;

/**
 * Renders a scored event for a person: a header with session, perplexity and verdict, the text with
 * each token coloured by its surprisal, a sparkline of surprisal under it, and the predicted next
 * tokens.
 */
public final class ConsoleRenderer {

    private static final String BARS = "▁▂▃▄▅▆▇█";
    private static final String RESET = "\u001b[0m";
    private static final int INDENT = 4;

    private final boolean colour;
    private final boolean spacedTokens;

    /**
     * @param colour       ANSI colours (for a terminal)
     * @param spacedTokens put a space after every token (word and key tokens); byte tokens join as text
     */
    public ConsoleRenderer(boolean colour, boolean spacedTokens) {
        this.colour = colour;
        this.spacedTokens = spacedTokens;
    }

    public String render(ScoredEvent e) {
        if (e.getTemplateValues() != null) {
            return renderLine(e);
        }
        StringBuilder text = new StringBuilder();
        StringBuilder bars = new StringBuilder();
        for (TokenScore t : e.getTokens()) {
            String shown = shown(t.getToken()) + (spacedTokens ? " " : "");
            char bar = BARS.charAt((int) Math.min(BARS.length() - 1, Math.max(0, t.getSurprisalBits())));
            text.append(colour ? paint(shown, t.getSurprisalBits()) : shown);
            bars.append(String.valueOf(bar).repeat(shown.length()));
        }
        String pad = " ".repeat(INDENT);
        return String.format(Locale.ROOT, "%s%n%s%s%n%s%s%n%snext: %s%n", header(e), pad, text, pad, bars, pad,
                predictions(e));
    }

    private String header(ScoredEvent e) {
        String verdict = e.getAnomalous()
                ? String.format(Locale.ROOT, "ANOMALY %s score %.2f", e.getAnomalyRule(), e.getAnomalyScore())
                : "ok";
        if (colour) {
            verdict = (e.getAnomalous() ? "\u001b[1;97;41m" : "\u001b[32m") + verdict + RESET;
        }
        return String.format(Locale.ROOT, "%s  ppl %7.2f  max %5.1f bits  %s", e.getSessionId(), e.getEventPerplexity(),
                e.getMaxSurprisalBits(), verdict);
    }

    /**
     * A template model's event: the line itself, coloured by its template's surprisal, with the values
     * its template masks marked (underlined, or between « » without colour), and the template under it.
     */
    private String renderLine(ScoredEvent e) {
        double bits = e.getTokens().isEmpty() ? 0 : e.getTokens().get(0).getSurprisalBits();
        StringBuilder line = new StringBuilder();
        for (LineParts.Part part : LineParts.of(e.getText(), e.getTemplateValues())) {
            if (!part.variable()) {
                line.append(colour ? paint(part.text(), bits) : part.text());
            } else {
                line.append(colour ? "\u001b[4m" + paint(part.text(), bits) : "«" + part.text() + "»");
            }
        }
        String template = e.getTokens().isEmpty() ? "" : e.getTokens().get(0).getToken();
        String pad = " ".repeat(INDENT);
        return String.format(Locale.ROOT, "%s%n%s%s%n%s%s (%.1f bits)%n", header(e), pad, line, pad,
                LineParts.caption(template, e.getNotes()), bits);
    }

    private static String predictions(ScoredEvent e) {
        StringBuilder s = new StringBuilder();
        for (Prediction p : e.getNextTokenPredictions()) {
            s.append(String.format(Locale.ROOT, "'%s' %.0f%%  ", shown(p.getToken()), p.getProbability() * 100));
        }
        return s.toString().strip();
    }

    /** The end (or start) of an event as one visible character, not the vocabulary's {@code <eos>}. */
    static String shown(String token) {
        return VocabularyTokenizer.EOS.equals(token) || VocabularyTokenizer.BOS.equals(token) ? "⏎" : token;
    }

    private static String paint(String token, double bits) {
        String code = bits < 1 ? "\u001b[32m"       // green: expected
                : bits < 4 ? "\u001b[0m"             // plain
                : bits < 8 ? "\u001b[33m"            // yellow: unlikely
                : "\u001b[1;31m";                    // bold red: very surprising
        return code + token + RESET;
    }
}
