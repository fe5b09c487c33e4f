package dev.surprisal.session;

import dev.surprisal.tokenize.LogFormat;
import dev.surprisal.tokenize.LogTime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LineSessionsTest {

    private static final LogFormat BGL = LogFormat.parse(
            "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>");
    private static final LogFormat SYSLOG = LogFormat.parse("<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>");

    @Test
    void aLinesTimeIsReadFromItsLayoutsDateAndTimeFields() {
        assertEquals(Instant.parse("2005-06-03T22:42:50Z"), LogTime.of(BGL.fieldsOf("- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 "
                + "2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected")));
        assertEquals(Instant.parse("2000-06-09T06:06:20Z"), LogTime.of(SYSLOG.fieldsOf(
                "Jun  9 06:06:20 combo sshd(pam_unix)[19939]: check pass; user unknown")), "no year: 2000");
        assertEquals(Instant.parse("2000-06-15T04:06:20Z"), LogTime.of(SYSLOG.fieldsOf(
                "Jun 15 04:06:20 combo logrotate: ALERT exited abnormally")), "an optional field the line lacks");
        LogFormat hdfs = LogFormat.parse("<Date> <Time> <Pid> <Level> <Component>: <Content>");
        assertEquals(Instant.parse("2008-11-09T20:35:18Z"), LogTime.of(hdfs.fieldsOf(
                "081109 203518 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906")));
        LogFormat zookeeper = LogFormat.parse("<Date> <Time> - <Level>  \\[<Node>:<Component>@<Id>\\] - <Content>");
        assertEquals(Instant.parse("2015-07-29T17:41:44.747Z"), LogTime.of(zookeeper.fieldsOf(
                "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - "
                        + "Notification time out: 3200")));
        LogFormat apache = LogFormat.parse("\\[<Time>\\] \\[<Level>\\] <Content>");
        assertEquals(Instant.parse("2005-12-04T04:47:44Z"), LogTime.of(apache.fieldsOf(
                "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties")));
        assertNull(LogTime.of(LogFormat.parse("<Date> <Content>").fieldsOf("yesterday something happened")));
    }

    @Test
    void fixedWindowsPerNodeFromTheLinesOwnTimeWithTheirLabels() {
        LineSessions windows = new LineSessions(BGL, null, "Node", Duration.ofMinutes(5), null, "Label", null);
        LineSessions.Line normal = windows.read("- 1117838570 2005.06.03 R02-M1-N0 2005-06-03-15.42.50.675872 R02-M1-N0 "
                + "RAS KERNEL INFO instruction cache parity error corrected", "log", null);
        assertEquals(List.of("R02-M1-N0@2005-06-03T22:40:00Z"), normal.sessions());
        assertEquals(false, normal.anomalous());
        LineSessions.Line alert = windows.read("KERNDTLB 1118536327 2005.06.11 R30-M0-N9 2005-06-11-17.32.07.581048 "
                + "R30-M0-N9 RAS KERNEL FATAL data TLB error interrupt", "log", null);
        assertEquals(List.of("R30-M0-N9@2005-06-12T00:30:00Z"), alert.sessions());
        assertEquals(true, alert.anomalous());
        LineSessions.Line continuation = windows.read("a line that fits no layout", "log", normal);
        assertEquals(List.of("R02-M1-N0@2005-06-03T22:40:00Z"), continuation.sessions(),
                "joins the window before it, of the node before it");
    }

    @Test
    void slidingWindowsHoldALineOnceForEachWindowThatCoversIt() {
        LineSessions sliding = new LineSessions(SYSLOG, Pattern.compile("combo"), null, Duration.ofMinutes(10),
                Duration.ofMinutes(5), null, Pattern.compile("authentication failure"));
        LineSessions.Line read = sliding.read("Jun  9 06:06:20 combo sshd(pam_unix)[19939]: authentication failure; "
                + "logname= uid=0", "log", null);
        assertEquals(List.of("combo@2000-06-09T06:00:00Z", "combo@2000-06-09T06:05:00Z"), read.sessions());
        assertEquals(true, read.anomalous());
    }

    @Test
    void windowsWithoutATimeOrAFieldThatIsNotThereAreRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class,
                () -> new LineSessions(null, null, null, Duration.ofMinutes(5), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LineSessions(BGL, null, "Host", Duration.ofMinutes(5), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LineSessions(BGL, null, null, Duration.ofMinutes(5), Duration.ofMinutes(6), null, null));
    }
}
