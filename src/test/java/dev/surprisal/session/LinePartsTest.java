package dev.surprisal.session;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LinePartsTest {

    private static String marked(String line, List<String> values) {
        StringBuilder out = new StringBuilder();
        LineParts.of(line, values).forEach(p -> out.append(p.variable() ? "[" + p.text() + "]" : p.text()));
        return out.toString();
    }

    @Test
    void theValuesAreMarkedInTheMessageNotInTheHeader() {
        String line = "081109 203615 1 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_-38 terminating";
        assertEquals("081109 203615 1 INFO dfs.DataNode$PacketResponder: PacketResponder [1] for block [blk_-38] terminating",
                marked(line, List.of("1", "blk_-38")));
        assertEquals("session opened by ([uid=0])", marked("session opened by (uid=0)", List.of("uid=0")));
    }

    @Test
    void aLineWithoutValuesOrWithValuesNotInItIsShownWhole() {
        assertEquals("a new kind of line", marked("a new kind of line", List.of()));
        assertEquals("a line", marked("a line", null));
        assertEquals("a [7] line", marked("a 7 line", List.of("missing", "7")));
        assertEquals(List.of(new LineParts.Part("", false)), LineParts.of("", List.of("x")));
    }
}
