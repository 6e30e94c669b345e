package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.VrrpReport;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * hactl's own VRRP on the network's bad days and other shapes: the backup cut off the LAN only
 * (it stays BACKUP); cut off both switches (both MASTER), then healed; an IPv6 instance (link-local primary address,
 * ff02::12); adverts sent unicast to the peer.
 */
@LabTest(tools = {"nft", "conntrack"})
class OwnVrrpNetworkLabTest extends OwnVrrpLab {
    static final int FLOWS = 200;
    /** Purges due within the test: one that removed a flow still in use would kill it. */
    static final String PURGE_SOON = "purge-timeout: 3s";

    @Test
    void aLanPartitionOfTheBackupLeavesItBackupAndEveryFlowGoesOn() throws Exception {
        startPair(h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, PURGE_SOON, lanAndWan(HIGH, "")),
                h2.confVrrp("10.99.0.2", "10.99.0.1", key, ADVERT, PURGE_SOON, lanAndWan(LOW, "")));
        openFlows(FLOWS);

        // fw2 loses the LAN switch, its link keeps its carrier: its LAN instance hears silence,
        // its WAN instance still hears fw1, so fw1 is alive and the sync group stays BACKUP (taking
        // over would pull the WAN address to fw2, which cannot reach the LAN, at every down interval)
        lab.partition(lab.fw2, "lan");
        await().atMost(Duration.ofSeconds(10)).until(() -> h2.status().vrrp().instances().get(0).why()
                .startsWith("master down, held BACKUP"));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> oneMaster(h1, h2) && flows.allEchoingWithin(1000));
        System.out.println("fw2's LAN cut: " + h2.status().vrrp().instances());
        lab.heal(lab.fw2, "lan");
        await().atMost(Duration.ofSeconds(10)).until(() -> h2.status().vrrp().instances().get(0).why()
                .endsWith("heard again") && oneMaster(h1, h2));

        LiveFlows.Report r = flows.report(5000);
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertThat(h2.status().lastTransition().to()).isEqualTo("BACKUP");
        assertThat(h2.status().vrrp().takeoverWithinBudget() + h2.status().vrrp().takeoverOverBudget()).isZero();
    }

    @Test
    void aPartitionThatMakesBothMasterHealsToOneMasterAndKeepsEveryFlow() throws Exception {
        startPair(h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, PURGE_SOON, lanAndWan(HIGH, "")),
                h2.confVrrp("10.99.0.2", "10.99.0.1", key, ADVERT, PURGE_SOON, lanAndWan(LOW, "")));
        openFlows(FLOWS);

        // fw2 loses both switches (links keep their carrier, the sync link stays): it hears no
        // advert on either instance and becomes MASTER too, commits fw1's flows and bulk-sends
        lab.partition(lab.fw2, "lan");
        lab.partition(lab.fw2, "wan");
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER")
                && "MASTER".equals(h2.status().role()) && h2.holdsLanVip());
        StatusReport split = h2.status();
        System.out.println("split: fw2 vrrp " + split.vrrp().lastTransition() + "; role " + split.lastTransition());
        assertThat(vrrpState(h1)).isEqualTo("MASTER");
        assertThat(h1.holdsLanVip()).isTrue();
        // two masters, each with the state: fw1 carries the flows as before
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> flows.allEchoingWithin(1000));

        lab.heal(lab.fw2, "lan");
        lab.heal(lab.fw2, "wan");
        await().atMost(Duration.ofSeconds(15)).until(() -> oneMaster(h1, h2));
        // past the purges the transitions scheduled (3 s), every flow still echoes and fw1 still leads
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                .until(() -> flows.allEchoingWithin(1000) && oneMaster(h1, h2));
        LiveFlows.Report r = flows.report(5000);
        System.out.println("own VRRP, partition with two masters, healed: " + r + "; fw2 " + h2.status().lastTransition());
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertThat(h1.status().lastTransition().to()).isEqualTo("MASTER");
    }

    @Test
    void anIpv6InstanceElectsAndItsAddressesMoveOnACrash() throws Exception {
        awaitLinkLocal(lab.fw1);
        awaitLinkLocal(lab.fw2);
        String v6 = "fe80::51:1/64, fd00:50::1/64";
        startPair(h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, "", List.of(
                        HactlNode.vrrpInstance("VI_LAN", "lan", 51, HIGH, FirewallPair.LAN_VIP + "/24", ""),
                        HactlNode.vrrpInstance("VI_LAN6", "lan", 51, HIGH, v6, ""))),
                h2.confVrrp("10.99.0.2", "10.99.0.1", key, ADVERT, "", List.of(
                        HactlNode.vrrpInstance("VI_LAN", "lan", 51, LOW, FirewallPair.LAN_VIP + "/24", ""),
                        HactlNode.vrrpInstance("VI_LAN6", "lan", 51, LOW, v6, ""))));
        assertThat(h1.holds("lan", "fd00:50::1")).isTrue();
        assertThat(h2.holds("lan", "fd00:50::1")).isFalse();
        // fw2 hears fw1's IPv6 adverts: from its link-local address, at fw1's priority
        VrrpReport.Instance heard = h2.status().vrrp().instances().get(1);
        assertThat(heard.name()).isEqualTo("VI_LAN6");
        assertThat(heard.masterAddress()).startsWith("fe80:");
        assertThat(heard.masterPriority()).isEqualTo(HIGH);

        crash(lab.fw1, h1);
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER")
                && h2.holds("lan", "fd00:50::1") && h2.holds("lan", "fe80::51:1") && h2.holdsLanVip());
        assertTakeoverInOrder(h2.status().vrrp());
    }

    @Test
    void unicastAdvertsElectAndTheAddressesMoveOnACrash() throws Exception {
        // multicast adverts are dropped: the pair hears each other only through unicast-peers
        for (Netns fw : List.of(lab.fw1, lab.fw2)) {
            fw.nft("""
                    table ip hactl_lab_no_multicast {
                      chain input {
                        type filter hook input priority filter; policy accept;
                        ip daddr 224.0.0.18 counter drop
                      }
                    }
                    """);
        }
        startPair(h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, "", lanAndWan(HIGH, ".3")),
                h2.confVrrp("10.99.0.2", "10.99.0.1", key, ADVERT, "", lanAndWan(LOW, ".2")));
        assertThat(h2.status().vrrp().instances()).extracting(VrrpReport.Instance::masterAddress)
                .containsExactly("10.50.0.2", "10.60.0.2");

        crash(lab.fw1, h1);
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER")
                && h2.holdsLanVip() && h2.holdsWanVip());
        assertTakeoverInOrder(h2.status().vrrp());
    }

    /**
     * The LAN and WAN instances at {@code priority}; with {@code peerHost} (".2" or ".3"), each
     * advertises unicast to the peer's address on its network.
     */
    static List<String> lanAndWan(int priority, String peerHost) {
        return List.of(
                HactlNode.vrrpInstance("VI_LAN", "lan", 51, priority, FirewallPair.LAN_VIP + "/24",
                        peerHost.isEmpty() ? "" : "10.50.0" + peerHost),
                HactlNode.vrrpInstance("VI_WAN", "wan", 52, priority, FirewallPair.WAN_VIP + "/24",
                        peerHost.isEmpty() ? "" : "10.60.0" + peerHost));
    }
}
