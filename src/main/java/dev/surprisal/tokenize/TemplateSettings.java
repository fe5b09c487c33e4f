package dev.surprisal.tokenize;

import java.util.List;

/**
 * How the {@code template} tokenizer reads raw lines; kept in the model manifest with its templates.
 *
 * @param logFormat  logparser-style layout whose {@code <Content>} is mined (see {@link LogFormat}); null: whole lines
 * @param masks      the user's own variable patterns, on top of the built-in rules
 * @param similarity share of a template's constant tokens a line must repeat to be that template
 * @param rules      which built-in masking and routing rules mined the templates: a model keeps the rules it
 *                   was trained with, so its saved templates go on matching ({@link #FIRST_RULES} for
 *                   manifests that do not say)
 */
public record TemplateSettings(String logFormat, List<String> masks, double similarity, int rules) {

    /** The first rules: runs of non-letters with a digit masked whole, the tree routed on any token. */
    public static final int FIRST_RULES = 1;
    /** Values masked by what they are with their punctuation kept, routing on words only. */
    public static final int SECOND_RULES = 2;
    /**
     * Today's: the second rules, and a position whose values are a few recurring words keeps them apart
     * (each its own template); a value's bracketed restatement ({@code (4 KB)}) and a time value's unit
     * are part of the value; hex values and approximate numbers are one value.
     */
    public static final int RULES = 3;
    public static final TemplateSettings DEFAULT = new TemplateSettings(null, List.of(), TemplateMiner.DEFAULT_SIMILARITY);

    public TemplateSettings {
        masks = masks == null ? List.of() : List.copyOf(masks);
        if (similarity == 0) {
            similarity = TemplateMiner.DEFAULT_SIMILARITY;
        }
        if (rules == 0) {
            rules = FIRST_RULES;
        }
        if (rules < FIRST_RULES || rules > RULES) {
            throw new IllegalArgumentException("unknown template rules " + rules + " (this version knows "
                    + FIRST_RULES + " to " + RULES + ")");
        }
        if (logFormat != null) {
            LogFormat.parse(logFormat);
        }
    }

    /** Settings for a new model: today's rules. */
    public TemplateSettings(String logFormat, List<String> masks, double similarity) {
        this(logFormat, masks, similarity, RULES);
    }
}
