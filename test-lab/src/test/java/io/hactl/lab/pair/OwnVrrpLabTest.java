package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.VrrpReport;
import io.hactl.sync.lab.LabTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failover of the firewall pair with hactl's own VRRP as the role source, no keepalived: two
 * daemons advertise every 100 ms on the LAN and the WAN; the MASTER holds the virtual addresses.
 * When it crashes the other takes over, with the conntrack state in its kernel before the
 * addresses go up, and every live flow goes on; so when the first comes back and takes over
 * again, and when the sync link was cut and healed before the crash.
 */
@LabTest(tools = {"nft", "conntrack"})
class OwnVrrpLabTest extends OwnVrrpLab {
    static final int FLOWS = 300;

    @Test
    void crashOfTheMasterMovesTheAddressesAfterTheStateAndKeepsEveryFlow() throws Exception {
        startPair();
        openFlows(FLOWS);

        // fw2 hears no advert for the master-down interval (3 x 100 ms plus skew) and takes over
        crash(lab.fw1, h1);
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER") && h2.holdsLanVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> "MASTER".equals(h2.status().role()));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));

        LiveFlows.Report r = flows.report(10_000);
        StatusReport s = h2.status();
        System.out.println("crash failover with hactl's own VRRP: " + r + "; fw2 vrrp " + s.vrrp().lastTransition()
                + "; role transition " + s.lastTransition());
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertTakeoverInOrder(s.vrrp());
        assertThat(s.vrrp().takeoverWithinBudget()).isEqualTo(1);
        assertThat(s.lastTransition().source()).startsWith("hactl vrrp");
        assertThat(s.lastTransition().ok()).as("%s", s.lastTransition()).isTrue();
        assertThat(s.vrrp().instances()).extracting(VrrpReport.Instance::state).containsOnly("MASTER");
    }

    @Test
    void gracefulStopOfTheMastersDaemonHandsOverAndKeepsEveryFlow() throws Exception {
        startPair();
        openFlows(FLOWS);

        // SIGTERM: fw1 advertises priority 0, takes its addresses down and hands over
        h1.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER") && h2.holdsLanVip());
        // the role transition is recorded once its adoption and bulk-send ran too, behind the addresses
        await().atMost(Duration.ofSeconds(20)).until(() -> "MASTER".equals(h2.status().role()));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        assertThat(h1.holdsLanVip()).isFalse();

        LiveFlows.Report r = flows.report(5000);
        StatusReport s = h2.status();
        System.out.println("graceful stop with hactl's own VRRP: " + r + "; fw2 vrrp " + s.vrrp().lastTransition()
                + "; preload " + s.lastPreload());
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertTakeoverInOrder(s.vrrp());
        assertThat(s.vrrp().lastTransition().why()).as("%s", s.vrrp().lastTransition()).isNotBlank();
        assertThat(List.of(s.lastTransition().from(), s.lastTransition().to())).containsExactly("BACKUP", "MASTER");
    }

    @Test
    void fw1BackFromACrashPreemptsWithTheStateFirstAndEveryFlowSurvivesBothMoves() throws Exception {
        startPair();
        openFlows(FLOWS);
        crash(lab.fw1, h1);
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER")
                && "MASTER".equals(h2.status().role()) && h2.holdsLanVip() && h2.holdsWanVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report first = flows.report(10_000);
        assertThat(first.survived()).as("%s", first).isEqualTo(FLOWS);

        // fw1 reboots: neither its virtual addresses (unless its daemon, seeing the links go down,
        // removed them already) nor its conntrack table survive that; its daemon, held back until
        // it holds fw2's flows, then preempts (priority 150 over 100)
        rebootFw1(dir.resolve("fw1-hactl.yaml"));
        await().atMost(Duration.ofSeconds(40)).until(() -> oneMaster(h1, h2));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));

        LiveFlows.Report r = flows.report(10_000);
        StatusReport s = h1.status();
        System.out.println("crash, then failback with hactl's own VRRP: " + r + "; fw1 vrrp " + s.vrrp().lastTransition()
                + "; role transition " + s.lastTransition());
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertTakeoverInOrder(s.vrrp());
        assertThat(s.lastTransition().ok()).as("%s", s.lastTransition()).isTrue();
        // the flows reached fw1's flushed kernel from fw2: the commit or, earlier, warm standby wrote them
        assertThat(s.lastTransition().steps().get(0).detail()).satisfiesAnyOf(
                d -> assertThat(d).contains("committed " + FLOWS + "/" + FLOWS),
                d -> assertThat(d).contains(FLOWS + " unchanged since the commit"));
        assertThat(h2.status().vrrp().instances()).extracting(VrrpReport.Instance::state).containsOnly("BACKUP");
    }

    @Test
    void aCutSyncLinkIsReportedOnBothAndAfterItHealsACrashLosesNoFlow() throws Exception {
        startPair();
        openFlows(200);
        lab.cutSync();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            StatusReport s1 = h1.status();
            StatusReport s2 = h2.status();
            return !s1.peer().alive() && !s2.peer().alive() && !s1.ok() && !s2.ok();
        });
        System.out.println("sync link cut: fw1 " + h1.status().verdict() + "; fw2 " + h2.status().verdict());
        // VRRP runs on the LAN and WAN, not on the sync link: the roles stay
        assertThat(oneMaster(h1, h2)).isTrue();
        // flows opened while the link is down are only on fw1
        try (LiveFlows more = LiveFlows.open(lab.server, lab.client, 50, 50, 7008)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> more.allEchoingWithin(1000));
            lab.healSync();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                StatusReport s1 = h1.status();
                StatusReport s2 = h2.status();
                return s1.peer().alive() && s2.peer().alive() && s1.ok() && s2.ok()
                        && s1.caches().internal() >= 250 && s2.caches().external() >= s1.caches().internal();
            });
            crash(lab.fw1, h1);
            await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER") && h2.holdsLanVip()
                    && "MASTER".equals(h2.status().role()));
            await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000) && more.allEchoingWithin(1000));
            LiveFlows.Report r = flows.report(5000);
            LiveFlows.Report r2 = more.report(5000);
            System.out.println("own VRRP, sync link cut and healed, then a crash: " + r + "; opened during the cut: " + r2);
            assertThat(r.survived()).as("%s", r).isEqualTo(200);
            assertThat(r2.survived()).as("%s", r2).isEqualTo(50);
            assertTakeoverInOrder(h2.status().vrrp());
        }
    }
}
