package dev.surprisal.stream;

import dev.surprisal.session.SessionState;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionStateSerdeTest {

    @Test
    void roundTrips() {
        SessionState state = SessionState.start("v1", new float[2], 100)
                .after(new float[] {0.1f, 0.2f}, "recent ", 256, 30, 10.0, true, 150, "e1", 16)
                .after(new float[] {0.5f, -1f}, "text ✓", 256, 10, 2.5, false, 200, "e2", 16);
        SessionState back = SessionStateSerde.read(SessionStateSerde.write(state));
        assertTrue(back.hasSeen("e1") && back.hasSeen("e2") && !back.hasSeen("e3"));
        assertEquals(state.recentText(), back.recentText());
        assertArrayEquals(state.recurrent(), back.recurrent());
        assertEquals(state.tokens(), back.tokens());
        assertEquals(state.totalBits(), back.totalBits());
        assertEquals(state.lastEventTime(), back.lastEventTime());
    }

    @Test
    void readsStateWrittenBeforeTheEventIdsWereKept() {
        byte[] version = "v0".getBytes(StandardCharsets.UTF_8);
        byte[] text = "abc".getBytes(StandardCharsets.UTF_8);
        ByteBuffer old = ByteBuffer.allocate(1 + 2 + version.length + 4 + text.length + 6 * 8 + 4 + 8);
        old.put((byte) 2).putShort((short) version.length).put(version).putInt(text.length).put(text);
        old.putLong(2).putLong(10).putDouble(7.5).putLong(0).putLong(1).putLong(2);
        old.putInt(2).putFloat(0.25f).putFloat(0.75f);

        SessionState read = SessionStateSerde.read(old.array());
        assertEquals("abc", read.recentText());
        assertArrayEquals(new float[] {0.25f, 0.75f}, read.recurrent());
        assertEquals(0, read.recentEventIds().length);
    }

    @Test
    void readsStateWrittenBeforeTheRecentTextWasKept() {
        byte[] version = "v0".getBytes(StandardCharsets.UTF_8);
        ByteBuffer old = ByteBuffer.allocate(1 + 2 + version.length + 6 * 8 + 4 + 8);
        old.put((byte) 1).putShort((short) version.length).put(version);
        old.putLong(2).putLong(10).putDouble(7.5).putLong(0).putLong(1).putLong(2);
        old.putInt(2).putFloat(0.25f).putFloat(0.75f);

        SessionState read = SessionStateSerde.read(old.array());
        assertEquals("v0", read.modelVersion());
        assertEquals("", read.recentText());
        assertEquals(10, read.tokens());
        assertArrayEquals(new float[] {0.25f, 0.75f}, read.recurrent());
    }
}
