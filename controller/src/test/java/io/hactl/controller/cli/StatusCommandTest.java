package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code hactl status} renders the daemon's verdict, and the exit code monitoring reads. */
class StatusCommandTest {
    static JsonNode status(String verdict) throws Exception {
        return ControlProtocol.JSON.readTree("""
                {"verdict": %s, "node": "fw1", "role": "BACKUP", "peer": {"alive": true, "lastHeardMillis": 80, "rttMicros": 300},
                 "caches": {"internal": 0, "external": 15300}, "sync": {"mode": "ftfw"}, "lastCommit": null,
                 "purgeInMillis": -1, "lastTransition": null, "lastPreload": null}
                """.formatted(verdict));
    }

    record Out(int exit, String text) {}

    static Out render(JsonNode s, boolean json) {
        StatusCommand c = new StatusCommand();
        c.json = json;
        StringWriter w = new StringWriter();
        int exit = c.render(s, new PrintWriter(w));
        return new Out(exit, w.toString());
    }

    @Test
    void anOkVerdictComesFirstWithItsEvidenceAndExitsZero() throws Exception {
        Out o = render(status("{\"ok\": true, \"reasons\": [], \"evidence\": \"peer alive, external cache 15,300 flows\"}"),
                false);
        assertThat(o.exit()).isEqualTo(ExitCodes.OK);
        assertThat(o.text().lines().findFirst()).hasValue("VERDICT   OK: peer alive, external cache 15,300 flows");
        assertThat(o.text()).contains("hactl on fw1");
    }

    @Test
    void aVerdictNotOkListsEveryReasonAndExitsOneAlsoAsJson() throws Exception {
        JsonNode s = status("{\"ok\": false, \"reasons\": [\"unacknowledged: 100 messages, oldest 4.2 s (bound 1.2 s)\","
                + " \"bulk-running: a bulk resync from the peer is still running\"], \"evidence\": \"\"}");
        Out o = render(s, false);
        assertThat(o.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(o.text().lines().limit(2)).containsExactly(
                "VERDICT   NOT OK: unacknowledged: 100 messages, oldest 4.2 s (bound 1.2 s)",
                "          bulk-running: a bulk resync from the peer is still running");
        Out json = render(s, true);
        assertThat(json.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(ControlProtocol.JSON.readTree(json.text()).path("verdict").path("reasons")).hasSize(2);
    }

    @Test
    void aStatusWithoutAVerdictIsNotTakenForOk() throws Exception {
        JsonNode s = ControlProtocol.JSON.readTree("{\"node\": \"fw1\"}");
        Out o = render(s, false);
        assertThat(o.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(o.text()).startsWith("VERDICT   UNKNOWN");
    }

    /** A status with hactl's own VRRP: two instances, the last takeover's three steps. */
    static JsonNode withVrrp() throws Exception {
        JsonNode s = status("{\"ok\": true, \"reasons\": [], \"evidence\": \"\"}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) s).set("vrrp", ControlProtocol.JSON.readTree("""
                {"state": "MASTER", "holdBack": null, "lastTransition": {"to": "MASTER", "why": "master down",
                  "overBudget": false, "steps": [{"step": "state", "atMillis": 0, "millis": 42},
                  {"step": "addresses", "atMillis": 42, "millis": 1}, {"step": "announce", "atMillis": 43, "millis": 0}]},
                 "instances": [{"name": "VI_1", "iface": "eth1", "vrid": 51, "state": "MASTER", "priority": 150,
                  "masterAddress": "10.0.0.1", "masterPriority": 150, "advertsSent": 20, "advertsReceived": 7,
                  "masterDownMillis": -1, "drops": {"ttl": 2}},
                  {"name": "VI_2", "iface": "eth2", "vrid": 52, "state": "MASTER", "priority": 150,
                  "masterAddress": null, "masterDownMillis": -1}]}
                """));
        return s;
    }

    @Test
    void theLeanReaderBindsTheVrrpSectionAsTheObjectMapperDoes() throws Exception {
        JsonNode s = withVrrp();
        try (com.fasterxml.jackson.core.JsonParser p = Render.JSON_FACTORY.createParser(s.toString())) {
            p.nextToken();
            StatusReport lean = RecordReader.record(p, StatusReport.class);
            assertThat(lean.vrrp()).isNotNull().isEqualTo(StatusReport.of(s, ControlProtocol.JSON).vrrp());
        }
    }

    @Test
    void hactlsOwnVrrpShowsTheGroupsStepsInOrderAndOneLinePerInstance() throws Exception {
        Out o = render(withVrrp(), false);
        List<String> lines = o.text().lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("vrrp ")).findFirst().orElseThrow());
        assertThat(lines.get(at)).isEqualTo(
                "vrrp      MASTER (master down): state +0 42 ms, addresses +42 1 ms, announce +43 0 ms");
        assertThat(lines.get(at + 1)).isEqualTo(
                "  VI_1 eth1 vrid 51 MASTER prio 150, master 10.0.0.1 prio 150, adverts 20 out 7 in, drops ttl 2");
        assertThat(lines.get(at + 2)).startsWith("  VI_2 eth2 vrid 52 MASTER prio 150, master unknown");
        assertThat(lines).hasSize(at + 3);
    }

    @Test
    void withoutHactlsVrrpThereIsNoVrrpLine() throws Exception {
        Out o = render(status("{\"ok\": true, \"reasons\": [], \"evidence\": \"\"}"), false);
        assertThat(o.text()).doesNotContain("vrrp ");
    }

    @Test
    void aConntrackHashTooSmallIsAWarningWithTheFixNotAVerdict() throws Exception {
        ObjectNode s = (ObjectNode) status("{\"ok\": true, \"reasons\": [], \"evidence\": \"fine\"}");
        s.putObject("conntrack").put("buckets", 262144).put("max", 4_200_000);
        Out o = render(s, false);
        assertThat(o.exit()).isEqualTo(ExitCodes.OK);
        assertThat(o.text().lines().filter(l -> l.startsWith("WARNING"))).containsExactly("WARNING   conntrack hash of 262144"
                + " buckets for 4200000 flows (16 per bucket, more than 8 slows every insert and lookup):"
                + " sysctl -w net.netfilter.nf_conntrack_buckets=4200000 (initial namespace) or the module option"
                + " nf_conntrack hashsize=4200000");
        s.putObject("conntrack").put("buckets", 262144).put("max", 262144);
        assertThat(render(s, false).text()).doesNotContain("WARNING");
        s.remove("conntrack");
        assertThat(render(s, false).text()).as("an older daemon").doesNotContain("WARNING");
        // the peer's flows in the caches count too: 15,300 external flows in 1,024 buckets
        s.putObject("conntrack").put("buckets", 1024).put("max", 1024);
        assertThat(render(s, false).text()).contains("WARNING   conntrack hash of 1024 buckets for 15300 flows (14 per bucket");
    }

    @Test
    void aWarmStandbySaysWhetherItsKernelIsCurrentAndAnOlderDaemonSaysNothing() throws Exception {
        ObjectNode s = (ObjectNode) status("{\"ok\": true, \"reasons\": [], \"evidence\": \"fine\"}");
        assertThat(render(s, false).text()).as("an older daemon").doesNotContain("kernel    ");
        ObjectNode sync = s.putObject("sync").put("mode", "ftfw").put("directInject", true).put("standbyBacklog", 0);
        assertThat(render(s, false).text()).contains("kernel    warm standby current: a takeover writes nothing\n");
        sync.put("standbyBacklog", 4096).put("standbyReconcile", "kernel events lost");
        assertThat(render(s, false).text())
                .contains("kernel    warm standby writing 4096 flows, reconcile due (kernel events lost)\n");
        sync.put("standbyBacklog", -1).putNull("standbyReconcile").put("kernelResync", true);
        assertThat(render(s, false).text())
                .contains("kernel    internal cache to be reloaded from the kernel (events lost)\n");
        assertThat(render(s, false).text()).doesNotContain("our bulk");
        sync.put("bulkOwed", true); // a new master whose peer was silent at its takeover
        assertThat(render(s, false).text()).containsPattern("sync      ftfw, .*, our bulk waits for the peer to be heard\n");
        // the lean reader (hactl status without picocli) reads the same
        try (com.fasterxml.jackson.core.JsonParser p = Render.JSON_FACTORY.createParser(s.toString())) {
            p.nextToken();
            assertThat(RecordReader.record(p, StatusReport.class).sync())
                    .isEqualTo(StatusReport.of(s, ControlProtocol.JSON).sync());
        }
    }

    /** The screen is built without java.util.Formatter (its patterns and locale data cost a short command); same text. */
    @Test
    void theNumbersAndPaddingReadAsPrintfWroteThem() {
        for (long us = 0; us < 300_000; us += 7) {
            assertThat(StatusCommand.hundredths(us, 10)).as("%d us", us)
                    .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", us / 1000.0));
        }
        for (String a : new String[] {"", "10.0.0.2", "2001:db8::1234:5678", null}) {
            assertThat(StatusCommand.padRight(a, 15)).isEqualTo(String.format("%-15s", a));
        }
    }

    @Test
    void aTransitionStillRunningShowsUnderTheRoleWithItsStepAndTimeAndAPreloadSaysSo() throws Exception {
        JsonNode s = status("{\"ok\": true, \"reasons\": [], \"evidence\": \"\"}");
        assertThat(render(s, false).text()).as("none running").doesNotContain("BECOMING").doesNotContain("PRELOADING");
        ((ObjectNode) s).set("running", ControlProtocol.JSON.readTree("""
                {"from": "BACKUP", "to": "MASTER", "source": "keepalived group G1", "step": "adopt-peer-flows", "millis": 2300}
                """));
        List<String> lines = render(s, false).text().lines().toList();
        assertThat(lines.get(1)).startsWith("hactl on fw1: role BACKUP");
        assertThat(lines.get(2)).isEqualTo(
                "          BECOMING MASTER (from BACKUP): step adopt-peer-flows, 2 s so far (keepalived group G1)");
        ((ObjectNode) s).set("running", ControlProtocol.JSON.readTree("""
                {"from": "BACKUP", "to": "BACKUP", "source": "peer silent", "step": "", "millis": 40}
                """));
        assertThat(render(s, false).text().lines().toList().get(2)).isEqualTo(
                "          PRELOADING the peer's flows into the kernel, still BACKUP: starting, 40 ms so far (peer silent)");
    }
}
