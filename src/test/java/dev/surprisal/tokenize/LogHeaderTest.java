package dev.surprisal.tokenize;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogHeaderTest {

    @Test
    void commonLayoutsLoseTheirHeaderWithoutAFormat() {
        assertEquals("PacketResponder 1 for block blk_38865049064139660 terminating", LogHeader.content(
                "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating"));
        assertEquals("authentication failure; logname= uid=0", LogHeader.content(
                "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0"));
        assertEquals("workerEnv.init() ok /etc/httpd/conf/workers2.properties", LogHeader.content(
                "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties"));
        assertEquals("Registered signal handlers for [TERM, HUP, INT]", LogHeader.content(
                "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]"));
    }

    @Test
    void aLineWithoutAHeaderIsItsOwnMessage() {
        assertEquals("20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
                LogHeader.content("20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579"));
        assertEquals("user alice logged in", LogHeader.content("user alice logged in"));
        assertEquals("12 34", LogHeader.content("12 34"), "all header: the line is kept whole");
    }
}
