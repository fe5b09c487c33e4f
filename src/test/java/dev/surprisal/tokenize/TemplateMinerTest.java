package dev.surprisal.tokenize;

import dev.surprisal.bench.TemplateBenchmark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void variablesAreMaskedByWhatTheyAreAndTheirPunctuationStays() {
        TemplateMiner miner = TemplateMiner.of(TemplateSettings.DEFAULT);
        assertArrayEquals(new String[] {"Receiving", "block", "blk_<*>", "src:", "<*>", "dest:", "<*>"},
                miner.tokens("Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010"));
        assertArrayEquals(new String[] {"size=<*>", "took", "<*>", "at", "<*>", "ids", "<*>"},
                miner.tokens("size=12KB took 350ms at 2015-07-29 ids 0x1f3a 7f9c2a1e-0b8d-4c1e-9a63-2f0a3d5e6b7c"),
                "a list of values is one variable");
        assertArrayEquals(new String[] {"ask", "<*>", "to", "delete", "blk_<*>"},
                miner.tokens("ask 10.0.0.1:50010 to delete blk_1 blk_-2 blk_3"));
        assertArrayEquals(new String[] {"ask", "10.0.0.1:50010", "to", "delete", "blk_1 blk_-2 blk_3"},
                miner.rawTokens("ask 10.0.0.1:50010 to delete blk_1 blk_-2 blk_3"));
        assertArrayEquals(new String[] {"opened", "<*>", "from", "<*>", "and", "<*>"},
                miner.tokens("opened /etc/x.conf from http://a/b and C:\\Windows\\winsxs\\x.dll \\\\share\\d"));
        assertArrayEquals(new String[] {"session", "opened", "by", "(uid=<*>)", "at", "[ib_sm_sweep.c:<*>]:", "<*>,"},
                miner.tokens("session opened by (uid=0) at [ib_sm_sweep.c:1455]: 80%,"));
        assertArrayEquals(new String[] {"chrome.exe", "-", "<*>", "open", "through", "proxy", "<*>", "HTTPS"},
                miner.tokens("chrome.exe - proxy.cse.example.edu:5070 open through proxy 10.0.0.1:8080 HTTPS"));
        assertArrayEquals(new String[] {"Displayed", "com.example/.Main:", "<*>", "attempt_<*>_<*>_m_<*>"},
                miner.tokens("Displayed com.example/.Main: +125ms attempt_201012_0001_m_000001"));
    }

    @Test
    void onlyWordsRouteALineSoNamesAndValuesThatVaryDoNotSplitATemplate() {
        assertTrue(TemplateMiner.routable("Receiving"));
        assertTrue(TemplateMiner.routable("ciod:"));
        assertFalse(TemplateMiner.routable("blk_<*>"), "a name with a number may be a host");
        assertFalse(TemplateMiner.routable("chrome.exe"), "a program name varies from line to line");
        assertFalse(TemplateMiner.routable("<*>"));
        assertFalse(TemplateMiner.routable("tbird-admin1"));
        assertFalse(TemplateMiner.routable("size=<*>"));
        // program names and hosts first, as a proxy's log has them: one template, not one per program
        TemplateMiner miner = TemplateMiner.withDefaults(null);
        for (String program : List.of("chrome.exe", "firefox.exe", "Dropbox.exe", "svchost.exe", "git-remote.exe")) {
            for (String host : List.of("proxy.example.edu:5070", "cdn.example.com:443")) {
                miner.mine(program + " - " + host + " open through proxy " + host + " HTTPS");
                miner.mine(program + " - " + host + " close, 1200 bytes sent, 3 bytes received, lifetime 00:02");
            }
        }
        assertEquals(List.of("<*> - <*> open through proxy <*> HTTPS",
                "<*> - <*> close, <*> bytes sent, <*> bytes received, lifetime <*>"),
                miner.templates().stream().map(TemplateMiner.Template::text).toList());
        // host names before the message
        TemplateMiner hosts = TemplateMiner.withDefaults(null);
        for (String host : List.of("dn228/dn228", "tbird-admin1", "en263/en263", "bn17")) {
            hosts.mine(host + " kernel: NFS: server not responding, still trying");
        }
        assertEquals(1, hosts.templates().size(), hosts.templates().stream().map(TemplateMiner.Template::text).toList().toString());
    }

    /** A model keeps the rules it was mined with, so its saved templates go on matching its lines. */
    @Test
    void aModelMinedWithTheFirstRulesStillMatchesItsLines() throws Exception {
        TemplateSettings first = new TemplateSettings(HDFS, List.of(), 0, TemplateSettings.FIRST_RULES);
        TemplateTokenizer old = TemplateTokenizer.train(lines(5, 200).stream().map(l -> l[1]).toList(), first);
        assertTrue(old.spec().vocabulary().contains("PacketResponder <*> for block blk<*> terminating"));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode saved = json.valueToTree(old.spec());
        ((com.fasterxml.jackson.databind.node.ObjectNode) saved.get("template")).remove("rules"); // as manifests before it
        Tokenizer reloaded = Tokenizers.fromSpec(json.treeToValue(saved, Tokenizer.TokenizerSpec.class));
        for (String[] line : lines(6, 50)) {
            assertTrue(reloaded.encode(line[1])[0] != TemplateTokenizer.UNKNOWN_TEMPLATE, line[1]);
        }
        Tokenizer current = Tokenizers.fromSpec(json.treeToValue(json.valueToTree(
                TemplateTokenizer.train(List.of("a b 1"), TemplateSettings.DEFAULT).spec()), Tokenizer.TokenizerSpec.class));
        assertEquals(TemplateSettings.RULES, ((TemplateTokenizer) current).spec().template().rules());
        assertThrows(IllegalArgumentException.class, () -> new TemplateSettings(null, List.of(), 0, 9));
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
        assertEquals("PacketResponder <*> for block blk_<*> terminating",
                copy.render(copy.encode(lines(7, 40).stream().filter(l -> l[0].equals("E2")).findFirst().orElseThrow()[1])[0]));
        assertNull(TemplateMiner.of(TemplateSettings.DEFAULT).match("anything"));
    }
}
