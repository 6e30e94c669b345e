package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.VrrpReport;
import io.hactl.sync.lab.LabTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * hactl's own VRRP with keepalived 2.2 as its peer, over the wire: hactl's daemon on fw1,
 * keepalived alone on fw2 (VRRPv3, the sync group of the LAN and WAN instances, VRIDs 51 and 52,
 * 100 ms adverts on both). Each side is MASTER in turn: the other stays BACKUP while it hears the
 * adverts, takes over when the master stops (priority 0) or crashes (silence for the master-down
 * interval), and the higher priority preempts when it comes back. Also: hactl's preempt setting,
 * an IPv6 instance, and the checksum setting on the wire.
 *
 * <p>fw1's sync peer runs no hactl daemon: the peer is never alive, so hactl's sync-aware election
 * never holds it back here.
 */
@LabTest(tools = {"keepalived", "nft", "conntrack"})
class KeepalivedPeerLabTest extends OwnVrrpLab {
    private static final String FW1_LAN = "10.50.0.2";
    private static final String FW2_LAN = "10.50.0.3";
    private static final String LAN6_LL = "fe80::51:1";
    private static final String LAN6 = "fd00:50::1";

    private Keepalived ka;

    @AfterEach
    void stopKeepalived() {
        if (ka != null) {
            ka.close(); // before the lab's namespaces go (this runs before OwnVrrpLab's tearDown)
        }
    }

    private Keepalived keepalivedOnFw2() {
        ka = new Keepalived(lab.fw2, dir, "fw2").advertInterval("0.1");
        return ka;
    }

    private Path hactlConf(int priority) throws Exception {
        return h1.confVrrp("10.99.0.1", "10.99.0.2", key, priority, ADVERT);
    }

    private boolean hactlMasterWithBothAddresses() {
        return vrrpState(h1).equals("MASTER") && h1.holdsLanVip() && h1.holdsWanVip();
    }

    private boolean keepalivedMasterWithBothAddresses() {
        return ka.holdsVip() && ka.holds("wan", FirewallPair.WAN_VIP);
    }

    private boolean hactlBackupWithoutAddresses() {
        return vrrpState(h1).equals("BACKUP") && !h1.holdsLanVip() && !h1.holdsWanVip();
    }

    private boolean keepalivedWithoutAddresses() {
        return !ka.holdsVip() && !ka.holds("wan", FirewallPair.WAN_VIP);
    }

    /** The group's instance {@code name} as fw1's status shows it. */
    private VrrpReport.Instance instance(String name) throws Exception {
        return h1.status().vrrp().instances().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void keepalivedBackingUpHactlTakesOverOnAStopAndOnACrashAndHactlPreemptsItBack() throws Exception {
        Path conf = hactlConf(HIGH);
        h1.start(conf);
        await().atMost(Duration.ofSeconds(30)).until(this::hactlMasterWithBothAddresses);
        keepalivedOnFw2().start(ka.confVrrpPeer(LOW));

        // keepalived takes hactl's adverts (RFC checksum, pseudo-header) as a master's: it stays
        // BACKUP well past its master-down interval (3 x 100 ms plus skew)
        await().atMost(Duration.ofSeconds(10)).until(() -> ka.log().contains("(VI_LAN) Entering BACKUP STATE"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> keepalivedWithoutAddresses() && hactlMasterWithBothAddresses());
        assertThat(ka.log()).doesNotContain("Invalid VRRPv3 checksum").doesNotContain("Entering MASTER STATE");

        // graceful stop: hactl advertises priority 0 and removes its addresses; keepalived takes over
        h1.stop();
        await().atMost(Duration.ofSeconds(10)).until(this::keepalivedMasterWithBothAddresses);
        assertThat(h1.holdsLanVip() || h1.holdsWanVip()).isFalse();

        // hactl back at the higher priority preempts: keepalived yields and removes its addresses
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h1.start(conf);
        await().atMost(Duration.ofSeconds(30)).until(() -> hactlMasterWithBothAddresses() && keepalivedWithoutAddresses());
        assertThat(ka.log()).contains("(VI_LAN) Master received advert from " + FW1_LAN + " with higher priority "
                + HIGH + ", ours " + LOW);
        assertTakeoverInOrder(h1.status().vrrp());

        // a crash of fw1: keepalived hears nothing for its master-down interval and takes over
        crash(lab.fw1, h1);
        await().atMost(Duration.ofSeconds(10)).until(this::keepalivedMasterWithBothAddresses);
        System.out.println("keepalived as hactl's backup: " + ka.log().lines()
                .filter(l -> l.contains("Entering") || l.contains("higher priority")).toList());
    }

    @Test
    void hactlBackingUpKeepalivedTakesOverOnAStopAndOnACrashAndKeepalivedPreemptsItBack() throws Exception {
        Path kaConf = keepalivedOnFw2().confVrrpPeer(HIGH);
        ka.start(kaConf);
        await().atMost(Duration.ofSeconds(15)).until(this::keepalivedMasterWithBothAddresses);
        h1.start(hactlConf(LOW));

        // hactl takes keepalived's adverts as a master's and stays BACKUP
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h1).equals("BACKUP"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> hactlBackupWithoutAddresses() && keepalivedMasterWithBothAddresses());
        VrrpReport.Instance lan = instance("VI_LAN");
        assertThat(lan.masterAddress()).isEqualTo(FW2_LAN);
        assertThat(lan.masterPriority()).isEqualTo(HIGH);
        assertThat(lan.advertsReceived()).isPositive();
        assertThat(lan.drops()).as("%s", lan).allSatisfy((reason, n) -> assertThat(n).isZero());

        // keepalived stops: priority 0, its addresses removed; hactl takes over, the state step first
        ka.stop();
        await().atMost(Duration.ofSeconds(10)).until(this::hactlMasterWithBothAddresses);
        assertTakeoverInOrder(h1.status().vrrp());

        // keepalived back at the higher priority preempts: hactl yields and removes its addresses
        ka.start(kaConf);
        await().atMost(Duration.ofSeconds(15)).until(() -> keepalivedMasterWithBothAddresses() && hactlBackupWithoutAddresses());
        assertThat(h1.status().vrrp().lastTransition().to()).isEqualTo("BACKUP");

        // a crash of fw2: hactl hears nothing for its master-down interval and takes over
        lab.unplug(lab.fw2);
        ka.kill();
        await().atMost(Duration.ofSeconds(10)).until(this::hactlMasterWithBothAddresses);
        assertTakeoverInOrder(h1.status().vrrp());
        System.out.println("hactl as keepalived's backup: fw1 vrrp " + h1.status().vrrp().lastTransition());
    }

    @Test
    void hactlWithPreemptOffStaysBackupOfAKeepalivedOfLowerPriorityUntilItStops() throws Exception {
        keepalivedOnFw2().start(ka.confVrrpPeer(LOW));
        await().atMost(Duration.ofSeconds(15)).until(this::keepalivedMasterWithBothAddresses);
        h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, "", "preempt: false", List.of(
                HactlNode.vrrpInstance("VI_LAN", "lan", 51, HIGH, FirewallPair.LAN_VIP + "/24", ""),
                HactlNode.vrrpInstance("VI_WAN", "wan", 52, HIGH, FirewallPair.WAN_VIP + "/24", ""))));

        // priority 150 against keepalived's 100, but no preemption: the master stays
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h1).equals("BACKUP"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> hactlBackupWithoutAddresses() && keepalivedMasterWithBothAddresses());
        assertThat(instance("VI_LAN").masterPriority()).isEqualTo(LOW);
        assertThat(ka.log()).doesNotContain("higher priority");

        ka.stop();
        await().atMost(Duration.ofSeconds(10)).until(this::hactlMasterWithBothAddresses);
    }

    @Test
    void anIpv6InstanceMovesToKeepalivedOnACrashAndBackToHactlByPreemption() throws Exception {
        awaitLinkLocal(lab.fw1);
        awaitLinkLocal(lab.fw2);
        Path conf = h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, "", List.of(
                HactlNode.vrrpInstance("VI_LAN", "lan", 51, HIGH, FirewallPair.LAN_VIP + "/24", ""),
                HactlNode.vrrpInstance("VI_WAN", "wan", 52, HIGH, FirewallPair.WAN_VIP + "/24", ""),
                HactlNode.vrrpInstance("VI_LAN6", "lan", 51, HIGH, LAN6_LL + "/64, " + LAN6 + "/64", "")));
        h1.start(conf);
        await().atMost(Duration.ofSeconds(30)).until(() -> hactlMasterWithBothAddresses() && h1.holds("lan", LAN6));
        keepalivedOnFw2().start(ka.confVrrpPeer(LOW, ka.ipv6LanInstance(LOW, LAN6_LL + "/64", LAN6 + "/64")));

        // keepalived takes hactl's IPv6 adverts (from fw1's link-local address) as a master's
        await().atMost(Duration.ofSeconds(10)).until(() -> ka.log().contains("(VI_LAN6) Entering BACKUP STATE"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> !ka.holds("lan", LAN6) && !ka.holds("lan", LAN6_LL) && h1.holds("lan", LAN6));
        assertThat(ka.log()).doesNotContain("Entering MASTER STATE");

        crash(lab.fw1, h1);
        await().atMost(Duration.ofSeconds(10)).until(() -> ka.holds("lan", LAN6) && ka.holds("lan", LAN6_LL)
                && keepalivedMasterWithBothAddresses());

        rebootFw1(conf, LAN6_LL + "/64 dev lan", LAN6 + "/64 dev lan");
        await().atMost(Duration.ofSeconds(30)).until(() -> hactlMasterWithBothAddresses() && h1.holds("lan", LAN6)
                && !ka.holds("lan", LAN6) && keepalivedWithoutAddresses());
        // the group yields as one: whichever instance hears the higher priority first
        assertThat(ka.log()).containsPattern("\\(VI_LAN6?\\) Master received advert from \\S+ with higher priority "
                + HIGH + ", ours " + LOW);
        assertThat(ka.log().lines().filter(l -> l.contains("(VI_LAN6)")).reduce((x, y) -> y).orElseThrow())
                .contains("Entering BACKUP STATE");
        assertThat(ka.log()).doesNotContain("Invalid VRRPv3 checksum");
        assertThat(instance("VI_LAN6").state()).isEqualTo("MASTER");
    }

    /**
     * {@code checksum: keepalived-v2} leaves the IPv4 pseudo-header out of the checksum, as
     * keepalived does with {@code v3_checksum_as_v2} (2.2.8 and later). keepalived 2.2.7, the
     * lab's, knows no such setting and always sums the pseudo-header: it refuses hactl's adverts
     * and takes the addresses too. hactl takes either checksum, so it still hears keepalived.
     */
    @Test
    void theKeepalivedV2ChecksumIsOnTheWireKeepalived227RefusesItAndHactlStillHearsKeepalived() throws Exception {
        h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, ADVERT, "", "checksum: keepalived-v2", List.of(
                HactlNode.vrrpInstance("VI_LAN", "lan", 51, HIGH, FirewallPair.LAN_VIP + "/24", ""),
                HactlNode.vrrpInstance("VI_WAN", "wan", 52, HIGH, FirewallPair.WAN_VIP + "/24", ""))));
        await().atMost(Duration.ofSeconds(30)).until(this::hactlMasterWithBothAddresses);
        keepalivedOnFw2().start(ka.confVrrpPeer(LOW));

        await().atMost(Duration.ofSeconds(15)).until(() -> ka.log().contains("Invalid VRRPv3 checksum")
                && keepalivedMasterWithBothAddresses());
        await().atMost(Duration.ofSeconds(10)).until(() -> instance("VI_LAN").advertsReceived() > 0);
        VrrpReport.Instance lan = instance("VI_LAN");
        assertThat(lan.drops()).as("%s", lan).allSatisfy((reason, n) -> assertThat(n).isZero());
        // keepalived's adverts carry the lower priority: hactl stays MASTER
        assertThat(lan.state()).isEqualTo("MASTER");
        assertThat(hactlMasterWithBothAddresses()).isTrue();
    }
}
