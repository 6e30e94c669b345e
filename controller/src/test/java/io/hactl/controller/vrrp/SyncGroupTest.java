package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A firewall's LAN and WAN virtual routers moving together, on a fake clock. */
class SyncGroupTest {
    static final long SECOND = 1_000_000_000L;
    static final long START = -7 * SECOND;
    static final InetAddress LOWER_PEER = ip("192.0.2.10");
    static final InetAddress HIGHER_PEER = ip("192.0.2.30");

    final AtomicLong now = new AtomicLong(START);
    final List<String> calls = new ArrayList<>();
    final RecordingActions record = new RecordingActions("", calls);
    final List<String> groupStates = new ArrayList<>();

    final VrrpInstance lan = member("LAN", 61, 150, 100);
    final VrrpInstance wan = member("WAN", 62, 150, 50);
    final SyncGroup group = new SyncGroup("fw", List.of(lan, wan), (to, why) -> groupStates.add(to + ": " + why));

    VrrpInstance member(String name, int vrid, int priority, int intervalCs) {
        InstanceConfig c = new InstanceConfig(name, vrid, priority, intervalCs, true, Duration.ZERO,
                ip("192.0.2.20"), List.of(ip("10." + vrid + ".0.1")));
        return new VrrpInstance(c, new RecordingActions(name + " ", calls), now::get);
    }

    void runUntil(long elapsed) {
        long until = START + elapsed;
        while (group.nextDeadline().isPresent() && group.nextDeadline().getAsLong() - until <= 0) {
            now.set(group.nextDeadline().getAsLong());
            group.onTimer(now.get());
        }
        now.set(until);
    }

    static Advertisement advert(int vrid, int priority) {
        return Advertisement.of(vrid, priority, 100, List.of(ip("10." + vrid + ".0.1")));
    }

    @Test
    void whenOneMemberTakesOverTheOthersFollow() {
        group.start();
        assertThat(record.take()).containsExactly("LAN backup", "WAN backup");
        // WAN at 0.5 s adverts goes first; LAN, whose own timer is later, follows it.
        long wanDown = wan.masterDownNanos();
        assertThat(wanDown).isLessThan(lan.masterDownNanos());

        runUntil(wanDown);

        assertThat(lan.state()).isEqualTo(VrrpState.MASTER);
        assertThat(wan.state()).isEqualTo(VrrpState.MASTER);
        assertThat(record.take()).containsExactly("WAN advert 150", "WAN master", "LAN advert 150", "LAN master");
        assertThat(groupStates).containsExactly("BACKUP: started", "MASTER: WAN MASTER (master down)");
    }

    @Test
    void theMastersMembersAdvertiseInStepAfterOneWasPutOutOfIt() {
        VrrpInstance a = member("A", 71, 150, 100);
        VrrpInstance b = member("B", 72, 150, 100);
        SyncGroup g = new SyncGroup("fw", List.of(a, b), (to, why) -> { });
        g.start();
        now.set(START + a.masterDownNanos());
        g.onTimer(now.get());
        assertThat(g.state()).isEqualTo(VrrpState.MASTER);
        long tick = a.adverDeadline().getAsLong();
        assertThat(b.adverDeadline()).hasValue(tick);

        // a stopping master shows up on B's link 0.3 s into the interval: B asserts itself at once
        // (6.4.3), which restarts its own Adver_Timer out of step with A's
        now.addAndGet(300_000_000L);
        b.onAdvert(advert(72, VrrpConstants.PRIORITY_SHUTDOWN), LOWER_PEER);
        assertThat(b.adverDeadline()).hasValue(now.get() + SECOND);

        // A advertises at its tick; its next comes up to B's, the earlier: in step again, and
        // neither advertises later than its own timer says
        long bNext = now.get() + SECOND;
        now.set(tick);
        g.onTimer(now.get());
        assertThat(a.adverDeadline()).hasValue(bNext);
        assertThat(b.adverDeadline()).hasValue(bNext);
        assertThat(g.nextDeadline()).hasValue(bNext);
    }

    @Test
    void membersOfDifferentIntervalsKeepTheirOwnWhileMaster() {
        group.start();
        runUntil(wan.masterDownNanos());
        assertThat(group.state()).isEqualTo(VrrpState.MASTER);
        record.take();

        runUntil(wan.masterDownNanos() + 3 * SECOND);

        List<String> sent = record.take();
        assertThat(sent.stream().filter(c -> c.startsWith("LAN advert"))).as("every 1 s").hasSize(3);
        assertThat(sent.stream().filter(c -> c.startsWith("WAN advert"))).as("every 0.5 s").hasSize(6);
    }

    @Test
    void anAdvertisementTimerThatFiredLateKeepsItsCadence() {
        VrrpInstance a = member("A", 71, 150, 100);
        SyncGroup g = new SyncGroup("fw", List.of(a), (to, why) -> { });
        g.start();
        now.set(START + a.masterDownNanos());
        g.onTimer(now.get());
        long tick = a.adverDeadline().getAsLong();

        now.set(tick + 7_000_000L); // the wake-up came 7 ms late
        g.onTimer(now.get());
        assertThat(a.adverDeadline()).hasValue(tick + SECOND);

        now.set(tick + 5 * SECOND); // the process stood still for seconds: one advertisement, no burst
        g.onTimer(now.get());
        assertThat(a.adverDeadline()).hasValue(now.get() + SECOND);
    }

    @Test
    void whenOneMemberYieldsToAHigherPriorityTheOthersYieldToo() {
        group.start();
        runUntil(wan.masterDownNanos());
        record.take();

        lan.onAdvert(advert(61, 200), HIGHER_PEER);

        assertThat(lan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(wan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(record.take()).containsExactly("LAN backup", "WAN backup");
        assertThat(group.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void aMemberThatLostTheMasterStaysBackupWhileAnotherStillHearsIt() {
        group.start();
        record.take();
        // the master (priority 200) is alive: WAN hears it every second; LAN's network lost it
        lan.onAdvert(advert(61, 200), HIGHER_PEER);
        for (int i = 0; i <= 20; i++) {
            runUntil(i * SECOND);
            wan.onAdvert(advert(62, 200), HIGHER_PEER);
        }

        // LAN's timer ran out again and again; the group never took over, so never yielded back
        assertThat(record.take()).isEmpty();
        assertThat(lan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(wan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(groupStates).containsExactly("BACKUP: started");
        assertThat(lan.why()).isEqualTo("master down, held BACKUP: sync group: WAN hears master 192.0.2.30 at priority 200");
        assertThat(wan.hearsMaster()).isTrue();
        assertThat(lan.hearsMaster()).isFalse();
        // LAN hears the master again, and status says so
        lan.onAdvert(advert(61, 200), HIGHER_PEER);
        assertThat(lan.why()).isEqualTo("master 192.0.2.30 heard again");
        assertThat(lan.hearsMaster()).isTrue();
        lan.onAdvert(advert(61, 200), HIGHER_PEER);
        assertThat(lan.why()).isEqualTo("master 192.0.2.30 heard again");

        // the master dies: both timers run out, and the group takes over
        runUntil(20 * SECOND + Math.max(lan.masterDownNanos(), wan.masterDownNanos()));

        assertThat(lan.state()).isEqualTo(VrrpState.MASTER);
        assertThat(wan.state()).isEqualTo(VrrpState.MASTER);
        assertThat(groupStates).hasSize(2).element(1).asString().startsWith("MASTER: ");
    }

    @Test
    void aLowerMasterAboutToBePreemptedHoldsNoMemberBack() {
        group.holdBack("no bulk from the live peer yet");
        group.start();
        runUntil(SECOND);
        lan.onAdvert(advert(61, 100), LOWER_PEER);
        wan.onAdvert(advert(62, 100), LOWER_PEER);
        assertThat(wan.hearsMaster()).isTrue();

        group.holdBack(null);
        wan.onAdvert(advert(62, 100), LOWER_PEER);

        assertThat(wan.hearsMaster()).isFalse();
    }

    @Test
    void aMasterStoppingOnEveryMemberIsTakenOverAfterTheSkewTime() {
        group.start();
        runUntil(SECOND);
        lan.onAdvert(advert(61, 200), HIGHER_PEER);
        wan.onAdvert(advert(62, 200), HIGHER_PEER);
        runUntil(2 * SECOND);
        lan.onAdvert(advert(61, 0), HIGHER_PEER);
        wan.onAdvert(advert(62, 0), HIGHER_PEER);

        runUntil(2 * SECOND + Math.max(lan.skewNanos(), wan.skewNanos()));

        assertThat(group.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void oneMemberInFaultPutsTheGroupInFaultAndMastersSendPriorityZero() {
        group.start();
        runUntil(wan.masterDownNanos());
        record.take();

        group.fault(lan, "interface lan down");

        assertThat(lan.state()).isEqualTo(VrrpState.FAULT);
        assertThat(wan.state()).isEqualTo(VrrpState.FAULT);
        assertThat(wan.why()).isEqualTo("sync group: LAN FAULT (interface lan down)");
        assertThat(record.take()).containsExactly("LAN advert 0", "LAN fault", "WAN advert 0", "WAN fault");
        assertThat(group.nextDeadline()).isEmpty();
        assertThat(groupStates).last().isEqualTo("FAULT: LAN FAULT (interface lan down)");
    }

    @Test
    void theGroupStartsOverOnlyWhenEveryOwnFaultCleared() {
        group.start();
        group.fault(lan, "interface lan down");
        group.fault(wan, "interface wan down");
        record.take();

        group.recover(lan, "interface lan up");
        assertThat(lan.state()).isEqualTo(VrrpState.FAULT);
        assertThat(wan.state()).isEqualTo(VrrpState.FAULT);

        group.recover(wan, "interface wan up");
        assertThat(lan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(wan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(record.take()).containsExactly("LAN backup", "WAN backup");
        assertThat(groupStates).last().isEqualTo("BACKUP: WAN interface wan up");
    }

    @Test
    void heldBackNoMemberPreemptsALowerMaster() {
        group.holdBack("no bulk from the live peer yet");
        group.start();

        for (int i = 1; i <= 20; i++) {
            runUntil(i * SECOND / 4);
            lan.onAdvert(advert(61, 100), LOWER_PEER);
            wan.onAdvert(advert(62, 100), LOWER_PEER);
        }

        assertThat(group.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(group.holdBackReason()).isEqualTo("no bulk from the live peer yet");
        assertThat(lan.heldBack()).isTrue();
        assertThat(wan.heldBack()).isTrue();
    }

    @Test
    void heldBackTheGroupStillTakesOverFromASilentMaster() {
        group.holdBack("no bulk from the live peer yet");
        group.start();
        runUntil(SECOND);
        lan.onAdvert(advert(61, 100), LOWER_PEER);
        wan.onAdvert(advert(62, 100), LOWER_PEER);

        runUntil(SECOND + lan.masterDownNanos());

        assertThat(lan.state()).isEqualTo(VrrpState.MASTER);
        assertThat(wan.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void releasedFromHoldBackTheGroupPreempts() {
        group.holdBack("no bulk from the live peer yet");
        group.start();
        group.holdBack(null);

        for (int i = 1; i <= 20 && group.state() != VrrpState.MASTER; i++) {
            runUntil(i * SECOND / 4);
            lan.onAdvert(advert(61, 100), LOWER_PEER);
            wan.onAdvert(advert(62, 100), LOWER_PEER);
        }

        assertThat(group.state()).isEqualTo(VrrpState.MASTER);
        assertThat(group.holdBackReason()).isNull();
    }

    @Test
    void anAddressOwnerMemberTakesTheGroupAlongAtStart() {
        VrrpInstance owner = member("LAN", 61, 255, 100);
        VrrpInstance other = member("WAN", 62, 150, 100);
        SyncGroup g = new SyncGroup("fw", List.of(owner, other), (to, why) -> groupStates.add(to + ": " + why));

        g.start();

        assertThat(owner.state()).isEqualTo(VrrpState.MASTER);
        assertThat(other.state()).isEqualTo(VrrpState.MASTER);
        assertThat(g.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void shutdownStopsEveryMemberAndMastersSendPriorityZero() {
        group.start();
        runUntil(wan.masterDownNanos());
        record.take();

        group.shutdown();

        assertThat(record.take()).containsExactly("LAN advert 0", "LAN stopped", "WAN advert 0", "WAN stopped");
        assertThat(group.state()).isEqualTo(VrrpState.INITIALIZE);
        assertThat(groupStates).last().isEqualTo("INITIALIZE: shut down");
    }

    @Test
    void findsTheMemberOfAVridInItsFamily() {
        assertThat(group.member(IpFamily.IPV4, 62)).contains(wan);
        assertThat(group.member(IpFamily.IPV6, 62)).isEmpty();
        assertThat(group.member(IpFamily.IPV4, 63)).isEmpty();
    }

    @Test
    void refusesFaultsOfStrangers() {
        VrrpInstance stranger = member("DMZ", 63, 100, 100);

        assertThatThrownBy(() -> group.fault(stranger, "down")).hasMessageContaining("not in sync group fw");
    }
}
