package dev.surprisal.session;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionIdsTest {

    @Test
    void aLineNamingSeveralSessionsBelongsToEachOnce() {
        Pattern blocks = Pattern.compile("(blk_-?\\d+)");
        assertEquals(List.of("blk_-1", "blk_22"),
                SessionIds.of(blocks, "BLOCK* ask 10.0.0.1:50010 to delete blk_-1 blk_22 blk_-1"));
        assertEquals(List.of(), SessionIds.of(blocks, "no block here"));
        assertEquals(List.of("u1"), SessionIds.of(Pattern.compile("user=\\w+"), "user=u1").stream()
                .map(s -> s.substring(5)).toList(), "without a group the whole match is the id");
    }
}
