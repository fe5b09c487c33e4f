package dev.surprisal.session;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionStateTest {

    @Test
    void aSessionRemembersItsLatestEventIdsWithinTheWindow() {
        SessionState s = SessionState.start("v1", new float[2], 0);
        for (int i = 1; i <= 5; i++) {
            s = s.after(new float[2], "x", 8, 1, 1.0, false, i, "e" + i, 3);
        }
        assertFalse(s.hasSeen("e2"), "out of the window");
        assertTrue(s.hasSeen("e3") && s.hasSeen("e4") && s.hasSeen("e5"));
        assertEquals(0, s.after(new float[2], "x", 8, 1, 1.0, false, 6, "e6", 0).recentEventIds().length);
    }
}
