package dev.surprisal.tokenize;

import java.util.List;

/**
 * How the {@code template} tokenizer reads raw lines; kept in the model manifest with its templates.
 *
 * @param logFormat  logparser-style layout whose {@code <Content>} is mined (see {@link LogFormat}); null: whole lines
 * @param masks      the user's own variable patterns, on top of the built-in rules
 * @param similarity share of a template's constant tokens a line must repeat to be that template
 */
public record TemplateSettings(String logFormat, List<String> masks, double similarity) {

    public static final TemplateSettings DEFAULT = new TemplateSettings(null, List.of(), TemplateMiner.DEFAULT_SIMILARITY);

    public TemplateSettings {
        masks = masks == null ? List.of() : List.copyOf(masks);
        if (similarity == 0) {
            similarity = TemplateMiner.DEFAULT_SIMILARITY;
        }
        if (logFormat != null) {
            LogFormat.parse(logFormat);
        }
    }
}
