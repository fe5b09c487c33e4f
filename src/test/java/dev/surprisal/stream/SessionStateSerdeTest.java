package dev.surprisal.stream;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionStateSerdeTest {

    @Test
    void roundTrips() {
        SessionState state = new SessionState("v1", new float[] {0.5f, -1f}, "recent text ✓", 3, 40, 12.5, 1, 100, 200);
        SessionState back = SessionStateSerde.read(SessionStateSerde.write(state));
        assertEquals(state.recentText(), back.recentText());
        assertArrayEquals(state.recurrent(), back.recurrent());
        assertEquals(state.tokens(), back.tokens());
        assertEquals(state.totalBits(), back.totalBits());
        assertEquals(state.lastEventTime(), back.lastEventTime());
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
