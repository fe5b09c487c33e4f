package dev.surprisal.input;

import dev.surprisal.tokenize.LogFormat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutCheckTest {

    @Test
    void aLayoutThatFitsNoneOfTheFirstLinesIsSaidOnceWithTheFirstLine() {
        LogFormat layout = LogFormat.parse("<Date> <Time> <Level> <Component>: <Content> [never]");
        LayoutCheck check = new LayoutCheck();
        String warning = null;
        for (int i = 0; i < LayoutCheck.LINES; i++) {
            check.line("", layout); // blank lines are not counted
            String w = check.line("Dec 10 06:55:46 LabSZ sshd[24200]: line " + i, layout);
            if (i < LayoutCheck.LINES - 1) {
                assertNull(w);
            } else {
                warning = w;
            }
        }
        assertNotNull(warning);
        assertTrue(warning.contains("fits none of the first " + LayoutCheck.LINES + " lines (the first: Dec 10 06:55:46 "
                + "LabSZ sshd[24200]: line 0)"), warning);
        assertNull(check.line("more", layout), "once");
        assertNull(new LayoutCheck().line("x", layout), "once per process, whichever task reads");
    }

    @Test
    void oneFittingLineIsEnough() {
        LogFormat layout = LogFormat.parse("<Month> <Date> <Time> <Host> <Component>: <Content>");
        LayoutCheck check = new LayoutCheck();
        assertNull(check.line("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster", layout));
        for (int i = 0; i < 2 * LayoutCheck.LINES; i++) {
            assertNull(check.line("no layout here " + i, layout));
        }
    }
}
