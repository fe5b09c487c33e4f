package dev.surprisal.tokenize;

import dev.surprisal.bench.TemplateBenchmark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemplateMinerTest {

    private static final String HDFS = "<Date> <Time> <Pid> <Level> <Component>: <Content>";

    @Test
    void aLogFormatReadsAsLogparserReadsIt() {
        LogFormat zookeeper = LogFormat.parse("<Date> <Time> - <Level>  \\[<Node>:<Component>@<Id>\\] - <Content>");
        assertEquals("Received connection request /10.10.34.11:45307", zookeeper.content(
                "2015-07-29 19:04:12,394 - INFO  [/10.10.34.11:3888:QuorumCnxManager$Listener@493] - "
                        + "Received connection request /10.10.34.11:45307"));
        LogFormat linux = LogFormat.parse("<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>");
        assertEquals("check pass; user unknown",
                linux.content("Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown"));
        assertEquals("ALERT exited abnormally", linux.content("Jun 15 04:06:20 combo logrotate: ALERT exited abnormally"));
        assertEquals("no layout here", linux.content("no layout here"), "a line that does not fit is mined whole");
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("<Date> <Time>"));
    }

    @Test
    void variablesAreMaskedTheSameWayOnAnySystem() {
        TemplateMiner miner = TemplateMiner.of(TemplateSettings.DEFAULT);
        assertArrayEquals(new String[] {"Receiving", "block", "blk<*>", "src:", "<*>", "dest:", "<*>"},
                miner.tokens("Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010"));
        assertArrayEquals(new String[] {"size<*>KB", "took", "<*>ms", "at", "<*>", "id", "<*>", "<*>"},
                miner.tokens("size=12KB took 350ms at 2015-07-29 id 0x1f3a 7f9c2a1e-0b8d-4c1e-9a63-2f0a3d5e6b7c"));
        assertArrayEquals(new String[] {"opened", "<*>", "from", "<*>"}, miner.tokens("opened /etc/x.conf from http://a/b"));
    }

    /** Lines of four templates with random variables, in random order. */
    private static List<String[]> lines(long seed, int count) {
        Random r = new Random(seed);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long block = r.nextLong();
            String ip = "10.250." + r.nextInt(255) + "." + r.nextInt(255) + ":" + (50000 + r.nextInt(9999));
            String header = "081109 2039" + r.nextInt(10) + " " + r.nextInt(999) + " INFO dfs.DataNode: ";
            String[][] templates = {
                {"E1", "Receiving block blk_" + block + " src: /" + ip + " dest: /" + ip},
                {"E2", "PacketResponder " + r.nextInt(3) + " for block blk_" + block + " terminating"},
                {"E3", "Received block blk_" + block + " of size " + r.nextInt(1 << 26) + " from /" + ip},
                {"E4", "Deleting block blk_" + block + " file /mnt/hadoop/dfs/data/current/subdir" + r.nextInt(60)
                        + "/blk_" + block},
            };
            String[] t = templates[r.nextInt(templates.length)];
            out.add(new String[] {t[0], header + t[1]});
        }
        return out;
    }

    @Test
    void linesOfOneTemplateAreGroupedTogetherAndNothingElseIs() {
        TemplateMiner miner = TemplateMiner.of(new TemplateSettings(HDFS, List.of(), 0));
        List<String[]> sample = lines(3, 400);
        int[] mined = new int[sample.size()];
        List<String> truth = new ArrayList<>();
        for (int i = 0; i < mined.length; i++) {
            mined[i] = miner.mine(sample.get(i)[1]).id();
            truth.add(sample.get(i)[0]);
        }
        assertEquals(1.0, TemplateBenchmark.groupingAccuracy(mined, truth));
        assertEquals(4, miner.templates().size());
    }

    @Test
    void theTokenizerIsEveryLinesTemplateAndNeverLearnsWhileScoring() {
        List<String[]> sample = lines(5, 200);
        TemplateTokenizer tokenizer = TemplateTokenizer.train(sample.stream().map(l -> l[1]).toList(),
                new TemplateSettings(HDFS, List.of(), 0));
        Tokenizer copy = Tokenizers.fromSpec(tokenizer.spec());
        assertEquals(2 + 4, copy.vocabularySize());
        for (String[] line : lines(6, 50)) {
            int[] ids = copy.encode(line[1]);
            assertEquals(1, ids.length, "one line is one token");
            assertEquals(tokenizer.encode(line[1])[0], ids[0]);
            assertEquals(ids[0], copy.encode(sample.stream().filter(l -> l[0].equals(line[0])).findFirst()
                    .orElseThrow()[1])[0], "lines of one template share its id");
        }
        String unseen = "081109 203900 1 WARN dfs.DataNode: Exception in receiveBlock for block blk_1 java.io.IOException";
        assertArrayEquals(new int[] {TemplateTokenizer.UNKNOWN_TEMPLATE}, copy.encode(unseen));
        assertArrayEquals(new int[] {TemplateTokenizer.UNKNOWN_TEMPLATE}, copy.encode(unseen), "still unknown");
        assertEquals("PacketResponder <*> for block blk<*> terminating",
                copy.render(copy.encode(lines(7, 40).stream().filter(l -> l[0].equals("E2")).findFirst().orElseThrow()[1])[0]));
        assertNull(TemplateMiner.of(TemplateSettings.DEFAULT).match("anything"));
    }
}
