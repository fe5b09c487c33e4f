package dev.surprisal.tokenize;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A log layout that fits none of the lines is refused with the first line shown, not mined silently. */
class LayoutFitTest {

    private static final String LAYOUT = "<Date> <Time> \\[<Level>\\] <Content>";

    @Test
    void aLayoutThatFitsNoLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TemplateTokenizer.train(
                List.of("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster", "another line"),
                new TemplateSettings(LAYOUT, List.of(), 0.7)));
        assertTrue(e.getMessage().contains("fits none of the 2 lines"), e.getMessage());
        assertTrue(e.getMessage().contains("Dec 10 06:55:46 LabSZ"), e.getMessage());
    }

    @Test
    void continuationLinesThatDoNotFitAreFine() {
        TemplateTokenizer t = TemplateTokenizer.train(List.of("2026-12-01 10:00:00 [INFO] started", "  at Foo.bar()"),
                new TemplateSettings(LAYOUT, List.of(), 0.7));
        assertEquals(4, t.vocabularySize(), "<bos>, <unk> and the two lines' templates");
    }
}
