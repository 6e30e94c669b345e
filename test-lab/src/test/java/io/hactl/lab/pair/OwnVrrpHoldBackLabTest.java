package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * hactl's own VRRP holds a node back while it is not in sync with a live peer: it does not
 * preempt, and its status says why (keepalived's track file is the same for that role source,
 * proven by {@code RoleLabTest}).
 */
@Tag("heavy") // 100,000 flows and 100 ms adverts load both cores: run alone, after the others (test-lab/pom.xml)
@LabTest(tools = {"nft", "conntrack"})
class OwnVrrpHoldBackLabTest extends OwnVrrpLab {
    /**
     * fw2 joins with the higher priority while fw1, the master, holds 100,000 flows, and half of
     * what fw1 sends it is lost (heartbeats still pass, the bulk takes a while): until its external
     * cache is in sync it holds back, BACKUP with status saying why, and fw1 keeps the addresses;
     * then it preempts with the state first.
     */
    @Test
    void aNodeJoiningWithTheHigherPriorityHoldsBackSayingWhyUntilInSyncThenPreempts() throws Exception {
        int n = 100_000;
        h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, LOW, ADVERT));
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h1).equals("MASTER") && h1.holdsLanVip());
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batch(FirewallPair.idleFlows(n), BatchMode.CREATE).succeeded()).isEqualTo(n);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().caches().internal() == n);

        SyncPair.injectLoss(lab.fw2, 3780, 50);
        h2.start(h2.confVrrp("10.99.0.2", "10.99.0.1", key, HIGH, ADVERT));
        String[] heldBecause = {null};
        boolean[] addressesWhileHeld = {false};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
            StatusReport s = h2.statusOrNull();
            if (s != null && s.vrrp() != null && s.vrrp().holdBack() != null) {
                heldBecause[0] = s.vrrp().holdBack();
                // held back before and after seeing the address on fw2
                StatusReport after = h2.statusOrNull();
                addressesWhileHeld[0] |= h2.holdsLanVip() && after != null && after.vrrp().holdBack() != null;
                assertThat(s.vrrp().state()).isNotEqualTo("MASTER");
            }
            return oneMaster(h2, h1);
        });
        StatusReport s = h2.status();
        System.out.println("joined with the higher priority: held back because \"" + heldBecause[0] + "\"; fw2 vrrp "
                + s.vrrp().lastTransition() + "; role transition " + s.lastTransition());
        assertThat(heldBecause[0]).as("held back while its resync ran").startsWith("not in sync");
        assertThat(addressesWhileHeld[0]).as("took the addresses while held back").isFalse();
        assertThat(s.vrrp().holdBack()).isNull();
        assertTakeoverInOrder(s.vrrp());
        assertThat(s.caches().external() + s.caches().internal()).isGreaterThanOrEqualTo(n);
    }
}
