package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status schema as the daemon writes it and its readers read it: the keys scripts rely on stay. */
public class StatusReportTest {
    public static StatusReport full() {
        TransitionReport t = new TransitionReport("BACKUP", "MASTER", "keepalived group G1", "2026-01-02T03:04:05Z", 41, true,
                List.of(new TransitionReport.StepReport("commit", 30, true, "committed 5000/5000 flows in 30 ms"),
                        new TransitionReport.StepReport("adopt-peer-flows", 1, false, "timed out")));
        return new StatusReport(new StatusReport.VerdictReport(false, List.of("peer-dead: never heard"), "peer, caches"),
                "fw1", 12, "MASTER", "keepalived", "2026-01-02T03:04:05Z", 3000, true, 1,
                new StatusReport.Peer("192.0.2.2", true, 80, 300),
                new StatusReport.Caches(5000, 4000, 1_000_000, 800_000),
                new StatusReport.Sync("ftfw", 2, 5, 100, 3, true, 2, "veth0 192.0.2.1 -> 192.0.2.2:3780", 1, "e280b2573c11c5a7",
                        "none", false, -1L, null, false, true),
                Map.of("bad_mac", 1L), 7, 9, 60_000,
                new StatusReport.Purge(60_000, "BACKUP (keepalived)", true, "removed 3 flows", 3, 2000, false, 1),
                new CommitReport(5000, 4990, 10, 0, 30, 0, -1, Map.of(), true), t, t, 2,
                new StatusReport.Conntrack(262144, 262144));
    }

    static List<String> keys(JsonNode n, String prefix) {
        List<String> out = new ArrayList<>();
        n.fields().forEachRemaining(e -> {
            out.add(prefix + e.getKey());
            if (e.getValue().isObject() && !e.getKey().equals("drops") && !e.getKey().equals("failures")) {
                out.addAll(keys(e.getValue(), prefix + e.getKey() + "."));
            }
        });
        return out;
    }

    @Test
    void theDaemonWritesTheKeysScriptsRead() {
        JsonNode json = ControlProtocol.JSON.valueToTree(full());
        assertThat(keys(json, "")).containsExactlyInAnyOrder(
                "verdict", "verdict.ok", "verdict.reasons", "verdict.evidence",
                "node", "uptimeSeconds", "role", "roleSource", "roleSince", "roleAgeMillis", "demoted", "transitionsPending",
                "peer", "peer.address", "peer.alive", "peer.lastHeardMillis", "peer.rttMicros",
                "caches", "caches.internal", "caches.external", "caches.internalBytes", "caches.externalBytes",
                "sync", "sync.mode", "sync.lagMillis", "sync.lagMaxMillis", "sync.resendQueue", "sync.transmitQueue",
                "sync.bulkReceiving", "sync.bulksReceived", "sync.activeLink", "sync.links", "sync.keyFingerprint",
                "sync.encryption", "sync.directInject", "sync.standbyBacklog", "sync.standbyReconcile",
                "sync.kernelResync", "sync.bulkOwed",
                "drops", "messagesLost", "retransmissions", "purgeInMillis",
                "purge", "purge.inMillis", "purge.reason", "purge.waitingForPeer", "purge.last", "purge.lastRemoved",
                "purge.lastMillisAgo", "purge.running", "purge.outcomes",
                "lastCommit", "lastCommit.flows", "lastCommit.written", "lastCommit.replaced", "lastCommit.failed",
                "lastCommit.millis", "lastCommit.unchanged", "lastCommit.sinceMillis", "lastCommit.failures", "lastCommit.ok",
                "lastTransition", "lastTransition.from", "lastTransition.to", "lastTransition.source", "lastTransition.at",
                "lastTransition.millis", "lastTransition.ok", "lastTransition.steps",
                "lastPreload", "lastPreload.from", "lastPreload.to", "lastPreload.source", "lastPreload.at",
                "lastPreload.millis", "lastPreload.ok", "lastPreload.steps",
                "transitions", "conntrack", "conntrack.buckets", "conntrack.max", "vrrp", "running");
        assertThat(json.path("vrrp").isNull()).isTrue();
        assertThat(json.path("lastTransition").path("steps").get(1).path("detail").asText()).isEqualTo("timed out");
        assertThat(json.path("drops").path("bad_mac").asLong()).isEqualTo(1);
    }

    static StatusReport withVrrp() {
        StatusReport f = full();
        VrrpReport v = new VrrpReport("MASTER", null, 1, 0, 0, 0, 0,
                new VrrpReport.Transition("MASTER", "master down", false, false, List.of(
                        new VrrpReport.Step("state", 0, 42, null),
                        new VrrpReport.Step("addresses", 42, 1, null),
                        new VrrpReport.Step("announce", 43, 0, null))),
                List.of(new VrrpReport.Instance("VI_1", "eth1", 51, "MASTER", "master down", 150, "10.0.0.1", 150, 20, 7,
                        -1, Map.of("ttl", 2L))));
        return new StatusReport(f.verdict(), f.node(), f.uptimeSeconds(), f.role(), "vrrp", f.roleSince(),
                f.roleAgeMillis(), f.demoted(), f.transitionsPending(), f.peer(), f.caches(), f.sync(), f.drops(),
                f.messagesLost(), f.retransmissions(), f.purgeInMillis(), f.purge(), f.lastCommit(), f.lastTransition(),
                f.lastPreload(), f.transitions(), f.conntrack(), v);
    }

    @Test
    void theVrrpSectionCarriesTheGroupItsStepsInOrderAndEachInstance() {
        JsonNode json = ControlProtocol.JSON.valueToTree(withVrrp());
        assertThat(keys(json.path("vrrp"), "")).contains("state", "holdBack", "takeoverWithinBudget",
                "takeoverOverBudget", "lastTransition", "lastTransition.steps", "instances");
        JsonNode steps = json.path("vrrp").path("lastTransition").path("steps");
        assertThat(List.of(steps.get(0).path("step").asText(), steps.get(1).path("step").asText(),
                steps.get(2).path("step").asText())).containsExactly("state", "addresses", "announce");
        JsonNode i = json.path("vrrp").path("instances").get(0);
        assertThat(i.path("masterDownMillis").asLong()).isEqualTo(-1);
        assertThat(i.path("drops").path("ttl").asLong()).isEqualTo(2);
        assertThat(StatusReport.of(json, ControlProtocol.JSON)).isEqualTo(withVrrp());
    }

    @Test
    void whatTheDaemonWritesReadsBackAsTheSameReport() {
        StatusReport r = full();
        assertThat(StatusReport.of(ControlProtocol.JSON.valueToTree(r), ControlProtocol.JSON)).isEqualTo(r);
    }

    @Test
    void nothingYetIsWrittenAsNullAndReadBackAsNull() {
        StatusReport none = new StatusReport(full().verdict(), "fw1", 0, "INIT", "none", "", 0, false, 0, null, null, null,
                null, 0, 0, -1, null, null, null, null, 0, null);
        JsonNode json = ControlProtocol.JSON.valueToTree(none);
        assertThat(json.path("lastCommit").isNull()).isTrue();
        assertThat(json.path("lastTransition").isNull()).isTrue();
        assertThat(json.path("lastPreload").isNull()).isTrue();
        StatusReport back = StatusReport.of(json, ControlProtocol.JSON);
        assertThat(back.lastCommit()).isNull();
        assertThat(back.peer().lastHeardMillis()).isEqualTo(-1);
    }

    @Test
    void aKeyThisClientDoesNotKnowIsIgnoredAndAMissingVerdictIsNotOk() throws Exception {
        StatusReport r = StatusReport.of(ControlProtocol.JSON.readTree(
                "{\"node\": \"fw1\", \"fromANewerDaemon\": {\"x\": 1}, \"peer\": {\"alive\": true, \"new\": 2}}"),
                ControlProtocol.JSON);
        assertThat(r.node()).isEqualTo("fw1");
        assertThat(r.peer().alive()).isTrue();
        assertThat(r.ok()).isFalse();
    }

    @Test
    void theHashIsTooSmallAboveEightFlowsPerBucketOfTheLimitOrOfTheCachedFlows() {
        StatusReport.Conntrack ct = new StatusReport.Conntrack(1000, 8000);
        assertThat(ct.hashTooSmall(0)).isFalse();
        assertThat(ct.hashTooSmall(8000)).isFalse();
        assertThat(ct.hashTooSmall(8001)).as("the caches hold more than the limit").isTrue();
        assertThat(new StatusReport.Conntrack(1000, 8001).hashTooSmall(0)).isTrue();
        assertThat(new StatusReport.Conntrack(-1, 1_000_000).hashTooSmall(1_000_000)).as("unknown").isFalse();
        assertThat(new StatusReport.Conntrack(262144, 262144).hashTooSmall(500_000)).isFalse();
        assertThat(new StatusReport.Conntrack(262144, 4_200_000).hashTooSmall(0)).isTrue();
    }

    @Test
    void aReportWithoutConntrackReadsAsUnknown() throws Exception {
        StatusReport r = StatusReport.of(ControlProtocol.JSON.readTree("{\"node\": \"fw1\"}"), ControlProtocol.JSON);
        assertThat(r.conntrack()).isEqualTo(new StatusReport.Conntrack(-1, -1));
    }
}
